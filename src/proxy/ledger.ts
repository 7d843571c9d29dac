import { createMemoryTimeBudget, MIN_BUDGET_TTL_MS, type TimeBudget } from './timeBudget.js'

/**
 * Where the proxy remembers which event ids the platform already has, so a resend (a beacon
 * and a fetch of the same event, a retry after a lost answer) is never forwarded twice: an
 * ActivityEvent carrying XP must not be credited twice, and events cannot be changed once sent.
 *
 * Implement it on your own database if you run several proxy instances: `claim` must be atomic.
 */
export interface CaliperLedger {
  /**
   * Reserves `ids` for one forwarding attempt, for at most `leaseMs`. Returns the ids this
   * request may forward (`claimed`) and the ids the platform already has (`delivered`); any
   * others are being forwarded by another request right now.
   */
  claim(ids: string[], leaseMs: number): Promise<{ claimed: string[]; delivered: string[] }>
  /** The platform accepted these: remember them (for the ledger's retention period). */
  commit(ids: string[]): Promise<void>
  /** The platform did not take these: free them so a retry can forward them. */
  release(ids: string[]): Promise<void>
}

export interface MemoryLedgerOptions {
  /** How long delivered ids are remembered. Default 7 days. */
  ttlMs?: number
  now?: () => number
}

/** A ledger in process memory: the default, fine for tests and one-instance deployments. */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): CaliperLedger & TimeBudget {
  const ttl = options.ttlMs ?? 7 * 24 * 3_600_000
  const now = options.now ?? Date.now
  const entries = new Map<string, { delivered: boolean; until: number }>()
  const live = (id: string) => {
    const entry = entries.get(id)
    if (entry && entry.until <= now()) {
      entries.delete(id)
      return undefined
    }
    return entry
  }
  return {
    ...createMemoryTimeBudget({ ttlMs: Math.max(ttl, MIN_BUDGET_TTL_MS), now }),
    async claim(ids, leaseMs) {
      const claimed: string[] = []
      const delivered: string[] = []
      for (const id of new Set(ids)) {
        const entry = live(id)
        if (!entry) {
          entries.set(id, { delivered: false, until: now() + leaseMs })
          claimed.push(id)
        } else if (entry.delivered) delivered.push(id)
      }
      return { claimed, delivered }
    },
    async commit(ids) {
      for (const id of ids) entries.set(id, { delivered: true, until: now() + ttl })
    },
    async release(ids) {
      for (const id of ids) if (!entries.get(id)?.delivered) entries.delete(id)
    },
  }
}
