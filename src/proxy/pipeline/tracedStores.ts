import type { CaliperLedger } from '../store/ledger.js'
import type { TimeBudget } from '../store/timeBudget.js'
import type { ProxyTelemetry } from '../telemetry/proxyTelemetry.js'

/**
 * The ledger, each call a step of the current request's telemetry. Built on the ledger itself
 * (its prototype), so whatever else it offers (a time budget, a backend's own fast path) stays.
 */
export function tracedLedger<L extends CaliperLedger>(ledger: L, t: ProxyTelemetry): L {
  return Object.assign(Object.create(ledger) as L, {
    claim: (ids, owner, leaseMs) => t.step('ledger.claim', () => ledger.claim(ids, owner, leaseMs), { ids: ids.length }),
    renew: (ids, owner, leaseMs) => t.step('ledger.renew', () => ledger.renew(ids, owner, leaseMs), { ids: ids.length }),
    commit: (ids, owner) => t.step('ledger.commit', () => ledger.commit(ids, owner), { ids: ids.length }),
    release: (ids, owner) => t.step('ledger.release', () => ledger.release(ids, owner), { ids: ids.length }),
    markInDoubt: (ids, owner, holdMs) => t.step('ledger.markInDoubt', () => ledger.markInDoubt(ids, owner, holdMs), { ids: ids.length }),
  } satisfies CaliperLedger)
}

/** The time budget, each call a step of the current request's telemetry. */
export function tracedBudget<B extends TimeBudget>(budget: B, t: ProxyTelemetry): B {
  return Object.assign(Object.create(budget) as B, {
    reserveTime: (student, claims) => t.step('budget.reserve', () => budget.reserveTime(student, claims), { ids: claims.length, student }),
    releaseTime: (student, ids) => t.step('budget.release', () => budget.releaseTime(student, ids), { ids: ids.length, student }),
  } satisfies TimeBudget)
}
