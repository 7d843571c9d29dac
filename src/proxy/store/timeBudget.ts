import type { CreditClaim, PlacedSpan } from './creditedTime.js'

/**
 * Where the proxy keeps each student's credited time, so that across tabs, devices, forged
 * requests and proxy instances a student is never credited more time than has passed. Every
 * ledger implements it; it must be shared by every instance that serves the student.
 */
export interface TimeBudget {
  /**
   * Atomically places each claim's credited time where the student has none yet (see
   * `placeCredit`) and returns the milliseconds each claim was granted. Spans placed earlier
   * for the same event ids are replaced, so a retry is never counted against itself.
   */
  reserveTime(studentId: string, claims: CreditClaim[]): Promise<number[]>
  /** These events were not delivered: their time is free again. */
  releaseTime(studentId: string, eventIds: string[]): Promise<void>
}

/** Credited time is kept at least as long as the tracker's default retention (30 days), plus a day. */
export const MIN_BUDGET_TTL_MS = 31 * 24 * 3_600_000

/** How long a budget keeps spans, for a ledger (or proxy) keeping ids `ttlMs`: never less than the minimum. */
export const budgetTtl = (ttlMs: number) => Math.max(ttlMs, MIN_BUDGET_TTL_MS)

/** The stretch `[from, to)` that these claims' windows cover together. */
export const windowOf = (claims: readonly CreditClaim[]) => ({
  from: Math.min(...claims.map((c) => c.start)),
  to: Math.max(...claims.map((c) => c.end)),
})

export interface TimeBudgetOptions {
  /** Spans ending longer ago than this are forgotten (events that old are refused anyway). */
  ttlMs: number
  now?: () => number
}

/** Spans of other events that can touch these claims' windows. */
export const overlapping = (spans: readonly PlacedSpan[], claims: readonly CreditClaim[]) => {
  const ids = new Set(claims.map((c) => c.id))
  const { from, to } = windowOf(claims)
  return spans.filter((s) => !ids.has(s.id) && s.end > from && s.start < to)
}
