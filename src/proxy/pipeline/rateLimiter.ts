import type { RateLimitStore } from '../store/rateLimitStore.js'

export interface RateLimits {
  /** Requests one student may make per minute. Default 120 (a tab sends about one a minute). */
  requestsPerMinute?: number
  /** Events one student may send per minute. Default 2,000 (a long-offline backlog drains in minutes). */
  eventsPerMinute?: number
}

export interface RateLimiter {
  /**
   * How long this student must still wait, as this instance last told them (`Retry-After`): a
   * flood is refused without a call to the store or reading its bodies. The tracker waits that
   * long anyway, so an honest student loses nothing by it.
   */
  knownWait(studentId: string): number | undefined
  /** Takes one request and `events` from the student's allowances: undefined, or ms to wait. */
  take(studentId: string, events: number): Promise<number | undefined>
}

/** Past this many students remembered as refused, the memory of refusals starts over. */
const MAX_REMEMBERED = 10_000

/**
 * Per-student limits on requests and events per minute, kept in `store` (shared by the
 * instances sharing a ledger): one call to it per request, with the request and its events.
 */
export function createRateLimiter(limits: RateLimits, store: RateLimitStore, now: () => number): RateLimiter {
  const perMinute = { requests: limits.requestsPerMinute ?? 120, events: limits.eventsPerMinute ?? 2000 }
  const refusedUntil = new Map<string, number>()
  return {
    knownWait(studentId) {
      const until = refusedUntil.get(studentId)
      if (until === undefined) return undefined
      const wait = until - now()
      if (wait > 0) return wait
      refusedUntil.delete(studentId)
      return undefined
    },
    async take(studentId, events) {
      const wait = await store.takeAllowance(studentId, { requests: 1, events }, perMinute)
      if (wait === undefined) return undefined
      if (refusedUntil.size >= MAX_REMEMBERED) refusedUntil.clear()
      refusedUntil.set(studentId, now() + wait)
      return wait
    },
  }
}
