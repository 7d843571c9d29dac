import type { CaliperLedger } from './ledger.js'

/**
 * One request's claim on some ids: renewed every third of the lease while the request is
 * forwarding (a slow platform or a long one-at-a-time retry never outlives it), and narrowed to
 * the ids the ledger says it still holds. Every transition passes the owner token, so nothing
 * here can touch another request's claim.
 */
export interface ClaimLease {
  /** Ids still held by this request. */
  readonly held: ReadonlySet<string>
  commit(ids: string[]): Promise<void>
  release(ids: string[]): Promise<void>
  markInDoubt(ids: string[], holdMs: number): Promise<void>
  /** Stops renewing. */
  end(): void
}

export function holdClaim(ledger: CaliperLedger, owner: string, ids: string[], leaseMs: number): ClaimLease {
  const held = new Set(ids)
  const renew = () => {
    if (!held.size) return
    void ledger.renew([...held], owner, leaseMs).then(
      (still) => {
        const kept = new Set(still)
        for (const id of held) if (!kept.has(id)) held.delete(id)
      },
      () => {}, // a failed renewal is tried again next period; the lease still has two thirds left
    )
  }
  const timer = setInterval(renew, leaseMs / 3)
  timer.unref?.()
  const settle = async (ids: string[], act: (ids: string[]) => Promise<void>) => {
    const mine = ids.filter((id) => held.has(id))
    mine.forEach((id) => held.delete(id))
    if (mine.length) await act(mine)
  }
  return {
    held,
    commit: (ids) => settle(ids, (mine) => ledger.commit(mine, owner)),
    release: (ids) => settle(ids, (mine) => ledger.release(mine, owner)),
    markInDoubt: (ids, holdMs) => settle(ids, (mine) => ledger.markInDoubt(mine, owner, holdMs)),
    end: () => clearInterval(timer),
  }
}
