export interface RateLimits {
  /** Requests one student may make per minute. Default 120 (a tab sends about one a minute). */
  requestsPerMinute?: number
  /** Events one student may send per minute. Default 2,000 (a long-offline backlog drains in minutes). */
  eventsPerMinute?: number
}

export interface RateLimiter {
  /**
   * Takes `requests` and `events` from the student's allowance; returns undefined when they
   * were there, or how many ms to wait before asking again (nothing is taken then).
   */
  take(studentId: string, requests: number, events: number): number | undefined
}

const MINUTE = 60_000

/**
 * Token buckets per student, in process memory: each holds a minute's allowance and refills
 * continuously, so a burst up to the allowance passes and a flood waits. Students idle for a
 * minute (full buckets) are forgotten.
 */
export function createRateLimiter(limits: RateLimits, now: () => number = Date.now): RateLimiter {
  const caps = [limits.requestsPerMinute ?? 120, limits.eventsPerMinute ?? 2000]
  const buckets = new Map<string, { tokens: number[]; at: number }>()
  let sweptAt = now()
  return {
    take(studentId, requests, events) {
      const t = now()
      if (t - sweptAt > MINUTE) {
        for (const [id, bucket] of buckets) if (t - bucket.at >= MINUTE) buckets.delete(id)
        sweptAt = t
      }
      const last = buckets.get(studentId)
      const tokens = caps.map((cap, i) => (last ? Math.min(cap, last.tokens[i]! + ((t - last.at) * cap) / MINUTE) : cap))
      const wants = [requests, events]
      // A request larger than a whole minute's allowance passes on a full bucket and leaves it
      // in debt, so the student then waits for it.
      const wait = Math.max(0, ...caps.map((cap, i) => ((Math.min(wants[i]!, cap) - tokens[i]!) * MINUTE) / cap))
      buckets.set(studentId, { tokens: wait > 0 ? tokens : tokens.map((n, i) => n - wants[i]!), at: t })
      return wait > 0 ? Math.ceil(wait) : undefined
    },
  }
}
