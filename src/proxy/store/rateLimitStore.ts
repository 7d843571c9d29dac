/** What a request costs, or a student may spend per minute: requests and events. */
export interface RateCost {
  requests: number
  events: number
}

/**
 * Where each student's rate-limit allowances are kept. Every shared ledger (SQLite, PostgreSQL,
 * Redis) is one, so instances sharing a ledger share the limits: N instances allow the limit
 * once, not N times. The proxy calls it once per request, with what the request costs.
 */
export interface RateLimitStore {
  /**
   * Takes `cost` from the student's allowances of `perMinute` (see `takeAllowance`), all of it
   * or nothing; resolves undefined when it was there, or how many ms to wait before asking again.
   */
  takeAllowance(studentId: string, cost: RateCost, perMinute: RateCost): Promise<number | undefined>
}

export const isRateLimitStore = (value: object): value is RateLimitStore => 'takeAllowance' in value
