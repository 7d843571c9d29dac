import { applyClaimOperation, isForgotten, type ClaimOperation, type ClaimState } from '../../store/claimModel.js'
import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'
import { createMemoryTimeBudget } from './memoryTimeBudget.js'
import { MEMORY_SWEEP_EVERY } from '../../store/sweepSettings.js'

export interface MemoryLedgerOptions extends LedgerOptions {
  /**
   * At most this many ids are kept; past it the oldest delivered ones are forgotten first (a
   * resend of one of those would be forwarded again). Default 500,000 (about 100 MB).
   */
  maxEntries?: number
  now?: () => number
}

export interface MemoryLedger extends CaliperLedger, TimeBudget {
  /** Ids held right now (claims, ids in doubt, delivered ids). */
  size(): number
}

type Kept = Exclude<ClaimState, { kind: 'fresh' }>

/**
 * A ledger in process memory: the default, right for one long-lived process. Wrong for several
 * instances or serverless route handlers: each instance has its own memory, so a resend that
 * lands on another instance (or a fresh one) is forwarded again. Each id's state changes by the
 * claim model (`applyClaimOperation`) itself. Forgotten ids are swept in amortised passes, and
 * the map is bounded by `maxEntries`.
 */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const settings = { ttlMs: options.ttlMs ?? DEFAULT_LEDGER_TTL_MS }
  const maxEntries = options.maxEntries ?? 500_000
  const now = options.now ?? Date.now
  // Insertion order is age order: commit re-inserts, so the oldest delivered ids come first.
  const entries = new Map<string, Kept>()
  let claimsSinceSweep = 0

  const sweep = (t: number) => {
    for (const [id, e] of entries) if (isForgotten(e, t)) entries.delete(id)
    for (const [id, e] of entries) {
      if (entries.size <= maxEntries) break
      if (e.kind === 'delivered') entries.delete(id)
    }
  }
  /** Applies `operation` to each of `ids` (once each) and returns the answers. */
  const apply = (ids: string[], operation: ClaimOperation) => {
    const t = now()
    return [...new Set(ids)].map((id) => {
      const { state, answer } = applyClaimOperation(entries.get(id) ?? { kind: 'fresh' }, operation, t, settings)
      if (state.kind === 'fresh') entries.delete(id)
      else if (state !== entries.get(id)) {
        // A delivery goes to the end of the age order; other changes keep their place.
        if (state.kind === 'delivered') entries.delete(id)
        entries.set(id, state)
      }
      return { id, answer }
    })
  }

  return {
    ...createMemoryTimeBudget({ ttlMs: budgetTtl(settings.ttlMs), now }),
    async claim(ids, owner, leaseMs) {
      if (++claimsSinceSweep >= MEMORY_SWEEP_EVERY || entries.size > maxEntries) {
        claimsSinceSweep = 0
        sweep(now())
      }
      const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
      for (const { id, answer } of apply(ids, { op: 'claim', owner, leaseMs })) {
        if (answer.answer === 'delivered') result.delivered.push(id)
        if (answer.answer !== 'claimed') continue
        result.claimed.push(id)
        if (answer.doubtful) result.doubtful.push(id)
      }
      return result
    },
    async renew(ids, owner, leaseMs) {
      return apply(ids, { op: 'renew', owner, leaseMs })
        .filter(({ answer }) => answer.answer === 'applied')
        .map(({ id }) => id)
    },
    async commit(ids, owner) {
      apply(ids, { op: 'commit', owner })
    },
    async release(ids, owner) {
      apply(ids, { op: 'release', owner })
    },
    async markInDoubt(ids, owner, holdMs) {
      apply(ids, { op: 'markInDoubt', owner, holdMs })
    },
    size: () => entries.size,
  }
}
