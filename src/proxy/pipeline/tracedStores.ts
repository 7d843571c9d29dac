import { claimsWithTime, type ClaimsWithTime } from '../store/claimWithTime.js'
import type { CaliperLedger } from '../store/ledger.js'
import type { TimeBudget } from '../store/timeBudget.js'
import type { ProxyTelemetry } from '../telemetry/proxyTelemetry.js'

/**
 * The ledger, each call a step of the current request's telemetry. Built on the ledger itself
 * (its prototype), so whatever else it offers (a time budget, a backend's own fast path) stays.
 */
export function tracedLedger<L extends CaliperLedger>(ledger: L, t: ProxyTelemetry): L {
  const forStudent = ledger.forStudent?.bind(ledger)
  return Object.assign(Object.create(ledger) as L, {
    // The ledger the proxy uses per request (a Redis ledger's, per student) is traced too.
    ...(forStudent && { forStudent: (studentId: string) => tracedLedger(forStudent(studentId), t) }),
    claim: (ids, owner, leaseMs) => t.step('ledger.claim', () => ledger.claim(ids, owner, leaseMs), { ids: ids.length }),
    renew: (ids, owner, leaseMs) => t.step('ledger.renew', () => ledger.renew(ids, owner, leaseMs), { ids: ids.length }),
    commit: (ids, owner) => t.step('ledger.commit', () => ledger.commit(ids, owner), { ids: ids.length }),
    release: (ids, owner) => t.step('ledger.release', () => ledger.release(ids, owner), { ids: ids.length }),
    markInDoubt: (ids, owner, holdMs) => t.step('ledger.markInDoubt', () => ledger.markInDoubt(ids, owner, holdMs), { ids: ids.length }),
    // The claim with its time budget is the claim's step (it reserves no time for ids it does not claim).
    ...(claimsWithTime(ledger) && {
      claimWithTime: (...args: Parameters<ClaimsWithTime['claimWithTime']>) =>
        t.step('ledger.claim', () => ledger.claimWithTime(...args), { ids: args[0].length, student: args[3] }),
    } satisfies Partial<ClaimsWithTime>),
  } satisfies CaliperLedger)
}

/** The time budget, each call a step of the current request's telemetry. */
export function tracedBudget<B extends TimeBudget>(budget: B, t: ProxyTelemetry): B {
  return Object.assign(Object.create(budget) as B, {
    reserveTime: (student, claims) => t.step('budget.reserve', () => budget.reserveTime(student, claims), { ids: claims.length, student }),
    releaseTime: (student, ids) => t.step('budget.release', () => budget.releaseTime(student, ids), { ids: ids.length, student }),
  } satisfies TimeBudget)
}
