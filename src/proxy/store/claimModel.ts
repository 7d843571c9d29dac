/**
 * The claim state machine of every ledger, written once as pure code: the memory ledger runs it,
 * the SQLite ledger applies it to the rows it reads in its transaction, and the conformance suite
 * (`timeback-tracker/proxy/conformance`) checks the PostgreSQL and Redis ledgers (whose clocks are
 * the server's) against it step by step.
 *
 * One id is in one of four states:
 * - `fresh`: the ledger knows nothing of it (never seen, released, or forgotten);
 * - `claimed` by `owner` until `until` (its lease), while that request forwards it;
 * - `inDoubt` until `until` (its hold): sent, the answer lost, forwarded by nobody;
 * - `delivered` until `until` (its retention): the platform has it.
 *
 * A claim or doubt is kept `ttlMs` past its end (`purgeAt`), so a resend after a lost answer is
 * still known: claiming it again reports it `doubtful`. Past `purgeAt`, and for a delivered id
 * past its retention, the id is fresh again.
 *
 * Corners, decided for exactly-once (the four backends agree on each):
 * - An expired delivered id is fresh, not doubtful: it was delivered, so no attempt of it is in
 *   doubt, and the tracker no longer holds events that old (`retentionMs` < `ttlMs`).
 * - A claim whose lease ended, or an id whose hold ended, is taken by the next claim (any owner,
 *   the old one too) and reported doubtful: its earlier attempt may have reached the platform.
 * - A live claim, a live hold and a live delivery all answer `held`/`delivered` to every claimant,
 *   the owner included: a request never claims the same id twice.
 * - renew, commit, release and markInDoubt act only on a claim of that owner that is still kept
 *   (before `purgeAt`), even when its lease has lapsed, as long as nobody took it over: the owner
 *   is the only one who knows what happened to its attempt, and nobody else was told the id is
 *   free. So a commit after a lapsed lease records a delivery that did happen (refusing it would
 *   only make the next claim doubt and look up), a release frees an id that was never sent, and
 *   a renew resumes the hold of a slow request. Once anyone else claimed the id, or it was
 *   forgotten, the old owner's transitions do nothing (renew leaves it out of its answer).
 * - Everything else (another owner's transition, any transition on a held, delivered or fresh
 *   id) changes nothing.
 *
 * Times are epoch ms; a lease, hold or retention ending at `until` is over at `now >= until`.
 */

export type ClaimState =
  | { kind: 'fresh' }
  | { kind: 'claimed'; owner: string; until: number; purgeAt: number }
  | { kind: 'inDoubt'; until: number; purgeAt: number }
  | { kind: 'delivered'; until: number }

/** One ledger operation on an id, by `owner` (see `CaliperLedger`'s methods of the same names). */
export type ClaimOperation =
  | { op: 'claim'; owner: string; leaseMs: number }
  | { op: 'renew'; owner: string; leaseMs: number }
  | { op: 'commit'; owner: string }
  | { op: 'release'; owner: string }
  | { op: 'markInDoubt'; owner: string; holdMs: number }

/**
 * What an operation answered for one id. For claim: `claimed` (now this owner's; `doubtful` when
 * an earlier attempt may have arrived), `delivered`, or `held` (by a request or a hold). For the
 * owner's transitions: `applied` (renew lists the id as still held) or `ignored`.
 */
export type ClaimAnswer =
  | { answer: 'claimed'; doubtful: boolean }
  | { answer: 'delivered' }
  | { answer: 'held' }
  | { answer: 'applied' }
  | { answer: 'ignored' }

/** Settings every ledger sweeps by: how long delivered ids, and ended claims and doubts, are kept. */
export interface ClaimSettings {
  ttlMs: number
}

const FRESH: ClaimState = { kind: 'fresh' }

/** The state as it stands at `now`: records past their keeping are fresh. */
export function currentState(state: ClaimState, now: number): ClaimState {
  if (state.kind === 'delivered') return state.until > now ? state : FRESH
  if (state.kind === 'fresh') return state
  return state.purgeAt > now ? state : FRESH
}

/** Whether a ledger may drop this record at `now` (it would read as fresh). */
export const isForgotten = (state: ClaimState, now: number): boolean => currentState(state, now).kind === 'fresh'

/** One operation on one id at `now`: the id's next state and the answer for it. */
export function applyClaimOperation(
  stored: ClaimState,
  operation: ClaimOperation,
  now: number,
  settings: ClaimSettings,
): { state: ClaimState; answer: ClaimAnswer } {
  const state = currentState(stored, now)
  const kept = (until: number) => ({ until, purgeAt: until + settings.ttlMs })
  if (operation.op === 'claim') {
    if (state.kind === 'delivered') return { state, answer: { answer: 'delivered' } }
    if (state.kind !== 'fresh' && state.until > now) return { state, answer: { answer: 'held' } }
    return {
      state: { kind: 'claimed', owner: operation.owner, ...kept(now + operation.leaseMs) },
      answer: { answer: 'claimed', doubtful: state.kind !== 'fresh' },
    }
  }
  if (state.kind !== 'claimed' || state.owner !== operation.owner) return { state, answer: { answer: 'ignored' } }
  const applied = (next: ClaimState) => ({ state: next, answer: { answer: 'applied' } as const })
  switch (operation.op) {
    case 'renew':
      return applied({ ...state, ...kept(now + operation.leaseMs) })
    case 'commit':
      return applied({ kind: 'delivered', until: now + settings.ttlMs })
    case 'release':
      return applied(FRESH)
    case 'markInDoubt':
      return applied({ kind: 'inDoubt', ...kept(now + operation.holdMs) })
  }
}
