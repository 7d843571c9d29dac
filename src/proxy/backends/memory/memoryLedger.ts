import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'
import { createMemoryTimeBudget } from './memoryTimeBudget.js'

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

/** `owner` is undefined while in doubt. `until`: end of the lease, hold, or retention. */
interface Entry {
  delivered: boolean
  owner: string | undefined
  until: number
}

const SWEEP_EVERY = 1024

/**
 * A ledger in process memory: the default, right for one long-lived process. Wrong for several
 * instances or serverless route handlers: each instance has its own memory, so a resend that
 * lands on another instance (or a fresh one) is forwarded again. Expired ids are swept in
 * amortised passes, and the map is bounded by `maxEntries`.
 */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const ttl = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS
  const maxEntries = options.maxEntries ?? 500_000
  const now = options.now ?? Date.now
  // Insertion order is age order: commit re-inserts, so the oldest delivered ids come first.
  const entries = new Map<string, Entry>()
  let claimsSinceSweep = 0

  // A claim or a doubt is dropped only `ttl` after its end, so a late resend is still doubted.
  const expired = (e: Entry, t: number) => (e.delivered ? e.until : e.until + ttl) <= t
  const sweep = (t: number) => {
    for (const [id, e] of entries) if (expired(e, t)) entries.delete(id)
    for (const [id, e] of entries) {
      if (entries.size <= maxEntries) break
      if (e.delivered) entries.delete(id)
    }
  }
  const owned = (id: string, owner: string) => {
    const e = entries.get(id)
    return e && !e.delivered && e.owner === owner ? e : undefined
  }

  return {
    ...createMemoryTimeBudget({ ttlMs: budgetTtl(ttl), now }),
    async claim(ids, owner, leaseMs) {
      const t = now()
      if (++claimsSinceSweep >= SWEEP_EVERY || entries.size > maxEntries) {
        claimsSinceSweep = 0
        sweep(t)
      }
      const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
      for (const id of new Set(ids)) {
        const e = entries.get(id)
        if (e?.delivered && e.until > t) result.delivered.push(id)
        else if (e && e.until > t) continue
        else {
          if (e && !e.delivered) result.doubtful.push(id)
          entries.set(id, { delivered: false, owner, until: t + leaseMs })
          result.claimed.push(id)
        }
      }
      return result
    },
    async renew(ids, owner, leaseMs) {
      return ids.filter((id) => {
        const e = owned(id, owner)
        if (e) e.until = now() + leaseMs
        return e !== undefined
      })
    },
    async commit(ids, owner) {
      for (const id of ids) {
        if (!owned(id, owner)) continue
        entries.delete(id)
        entries.set(id, { delivered: true, owner: undefined, until: now() + ttl })
      }
    },
    async release(ids, owner) {
      for (const id of ids) if (owned(id, owner)) entries.delete(id)
    },
    async markInDoubt(ids, owner, holdMs) {
      for (const id of ids) {
        const e = owned(id, owner)
        if (e) Object.assign(e, { owner: undefined, until: now() + holdMs })
      }
    },
    size: () => entries.size,
  }
}
