import type { RateTake } from '../store/claimWithTime.js'
import type { RateLimitStore } from '../store/rateLimitStore.js'

/** Per-student limits (`rateLimit`); a request over either is answered 429 with `Retry-After`. */
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
  /** What `take` would take, for a store that takes it within another step (a claim). */
  terms(events: number): RateTake
  /** Such a take elsewhere was refused for `waitMs`: remembered as `take` remembers; returns it. */
  refused(studentId: string, waitMs: number): number
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
  const refused = (studentId: string, waitMs: number) => {
    if (refusedUntil.size >= MAX_REMEMBERED) refusedUntil.clear()
    refusedUntil.set(studentId, now() + waitMs)
    return waitMs
  }
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
      return wait === undefined ? undefined : refused(studentId, wait)
    },
    terms: (events) => ({ cost: { requests: 1, events }, perMinute }),
    refused,
  }
}
