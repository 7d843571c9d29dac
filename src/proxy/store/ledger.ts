/**
 * Where the proxy remembers which event ids the platform already has, so a resend (a beacon
 * and a fetch of the same event, a retry after a lost answer) is never forwarded twice: an
 * ActivityEvent carrying XP must not be credited twice, and events cannot be changed once sent.
 *
 * Each id is in one of three states: claimed (one request is forwarding it, under its owner
 * token, until its lease ends), in doubt (it was sent and the answer was lost: held, forwarded by
 * nobody, until its hold ends) and delivered (remembered for the ledger's retention). A claim
 * whose lease or hold has ended may be taken again, and is then reported as `doubtful`: its
 * earlier attempt may have reached the platform. Only the owner can renew, commit, release or
 * mark its claims in doubt, so a stale request never acts on someone else's claim.
 *
 * Implement it on your own database if you run several proxy instances: `claim` must be atomic.
 */
export interface CaliperLedger {
  /**
   * Claims the free ones among `ids` for `owner` for `leaseMs`. Ids neither claimed nor
   * delivered are held by another request (or in doubt) right now.
   */
  claim(ids: string[], owner: string, leaseMs: number): Promise<LedgerClaim>
  /** Extends `owner`'s claims on `ids` to `leaseMs` from now; returns the ids it still holds. */
  renew(ids: string[], owner: string, leaseMs: number): Promise<string[]>
  /** The platform accepted these: remember them for the retention period. */
  commit(ids: string[], owner: string): Promise<void>
  /** The platform did not take these (or they were never sent): free them for a retry. */
  release(ids: string[], owner: string): Promise<void>
  /** Sent, but the answer was lost: forward them to nobody for `holdMs`, then let a claim doubt them. */
  markInDoubt(ids: string[], owner: string, holdMs: number): Promise<void>
}

export interface LedgerClaim {
  /** Ids this request now owns and may forward. */
  claimed: string[]
  /** Ids the platform already has. */
  delivered: string[]
  /** The part of `claimed` whose earlier attempt (an ended lease or hold) may have arrived. */
  doubtful: string[]
}

export interface LedgerOptions {
  /** How long delivered ids are remembered. Default 35 days: past the tracker's 30-day `retentionMs`. */
  ttlMs?: number
}

/** Longer than the tracker keeps an undelivered event (`retentionMs`, 30 days), plus slack. */
export const DEFAULT_LEDGER_TTL_MS = 35 * 24 * 3_600_000

/** Ledgers key ids as the id check accepts them: `urn:uuid:` ids match case-insensitively. */
export const ledgerKey = (id: string): string => id.toLowerCase()
