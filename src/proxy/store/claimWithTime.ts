import type { CreditClaim } from './creditedTime.js'
import type { LedgerClaim } from './ledger.js'
import type { RateCost } from './rateLimitStore.js'
import type { TimeBudget } from './timeBudget.js'

/** A credit claim, with the ledger key of the event it belongs to. */
export interface KeyedCreditClaim extends CreditClaim {
  key: string
}

/** What `claimWithTime` answers: the claim, and the time granted to the events it reserved. */
export interface TimedClaim extends LedgerClaim {
  /** Milliseconds granted, by event id, to the claims that were reserved. */
  granted: Record<string, number>
  /** Given a `rate` that was not there: ms to wait before asking again (nothing was claimed). */
  wait?: number
  /** The `rate` given was taken in this step (a ledger that ignores `rate` leaves it out). */
  rated?: boolean
}

/** A rate-limit take to fold into a claim: the request's cost and the allowances per minute. */
export interface RateTake {
  cost: RateCost
  perMinute: RateCost
}

/**
 * A ledger that is also the time budget and can claim ids and reserve their time in one step:
 * on a database, one round trip instead of two or three.
 */
export interface ClaimsWithTime {
  /**
   * `claim(ids, owner, leaseMs)`, then, atomically with it, `reserveTime(studentId, …)` for the
   * `credit` claims (in their order) whose `key` was claimed and is not doubtful. With `rate`,
   * first `takeAllowance(studentId, rate.cost, rate.perMinute)` in the same step: when it is
   * refused, nothing is claimed and the answer's `wait` says for how long; when it is taken, the
   * answer says `rated: true` (without it the proxy takes the allowance itself).
   */
  claimWithTime(ids: string[], owner: string, leaseMs: number, studentId: string, credit: KeyedCreditClaim[], rate?: RateTake): Promise<TimedClaim>
}

export const claimsWithTime = (ledger: object): ledger is ClaimsWithTime => 'claimWithTime' in ledger

/**
 * `budget` with some claims' time already reserved (`granted`, by event id): those are answered
 * from it, the others reserved as usual.
 */
export function withReserved(budget: TimeBudget, granted: Record<string, number>): TimeBudget {
  return {
    async reserveTime(studentId, claims) {
      const rest = claims.filter((c) => !Object.hasOwn(granted, c.id))
      const more = rest.length ? await budget.reserveTime(studentId, rest) : []
      const got = new Map(rest.map((c, i) => [c.id, more[i]!]))
      return claims.map((c) => (Object.hasOwn(granted, c.id) ? granted[c.id]! : got.get(c.id)!))
    },
    releaseTime: (studentId, eventIds) => budget.releaseTime(studentId, eventIds),
  }
}
