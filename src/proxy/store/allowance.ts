import type { RateCost } from './rateLimitStore.js'

export const MINUTE_MS = 60_000

/**
 * A student's allowances as GCRA keeps them: per allowance the time it is full again (its
 * "theoretical arrival time"), epoch ms. One number per allowance, which a database updates in
 * one statement; equivalent to a token bucket holding a minute's allowance that refills
 * continuously.
 */
export type AllowanceState = RateCost

/** Float rounding of `MINUTE_MS / perMinute` steps: never the difference between two requests. */
const ROUNDING_MS = 1e-6

/**
 * Takes `cost` from allowances of `perMinute` at `now`. A burst up to a minute's allowance
 * passes; a cost larger than a whole minute's passes on a full allowance and leaves it in debt,
 * so the student then waits for it. Refused: `waitMs` until it would pass, and nothing taken.
 * The Redis script and the PostgreSQL statement of the rate limit compute exactly this.
 */
export function takeAllowance(
  state: AllowanceState | undefined,
  cost: RateCost,
  perMinute: RateCost,
  now: number,
): { state: AllowanceState; waitMs: number | undefined } {
  const kinds = ['requests', 'events'] as const
  const from = (kind: (typeof kinds)[number]) => Math.max(state?.[kind] ?? now, now)
  const wait = Math.max(
    0,
    ...kinds.map((kind) => from(kind) + (Math.min(cost[kind], perMinute[kind]) * MINUTE_MS) / perMinute[kind] - MINUTE_MS - now),
  )
  if (wait > ROUNDING_MS) return { state: state ?? { requests: now, events: now }, waitMs: Math.ceil(wait) }
  const after = (kind: (typeof kinds)[number]) => from(kind) + (cost[kind] * MINUTE_MS) / perMinute[kind]
  return { state: { requests: after('requests'), events: after('events') }, waitMs: undefined }
}
