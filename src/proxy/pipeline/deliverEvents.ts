import type { TimebackEvent } from '../../events/eventTypes.js'
import { holdClaim, type ClaimLease } from '../store/claimLease.js'
import { claimsWithTime, withReserved, type ClaimsWithTime, type RateTake } from '../store/claimWithTime.js'
import { creditClaim } from '../store/creditedTime.js'
import { ledgerKey, type CaliperLedger } from '../store/ledger.js'
import type { TimeBudget } from '../store/timeBudget.js'
import type { Upstream } from '../upstream/upstream.js'
import { admitEvents, type AcceptEvent, type Admitted } from './admitEvents.js'
import type { AuthorizedUser } from './authorizedUser.js'
import { forwardEvents, type Forwarded } from './forwardEvents.js'
import type { ProxyLogger } from './proxyLogger.js'
import type { Rejection } from './screenEvents.js'

export interface DeliverySettings {
  ledger: CaliperLedger
  budget: TimeBudget
  send: Upstream
  leaseMs: number
  holdMs: number
  log: ProxyLogger
  lookup?: ((ids: string[]) => Promise<string[]>) | undefined
  acceptEvent?: AcceptEvent | undefined
  /** The ledger's claim with the time budget in one step, when the ledger is the budget. */
  claimWithTime?: ClaimsWithTime | undefined
}

export interface Delivered {
  duplicates: string[]
  forwarded: Forwarded
  refused: Rejection[]
  notCredited: Admitted['notCredited']
  /** The rate limit folded into the claim was not there: ms to wait (nothing was claimed). */
  rateWait?: number
}

export const NOTHING_FORWARDED: Forwarded = { accepted: [], refused: [], inDoubt: [] }

/** The request's rate-limit take, for `deliver` to fold into its claim where the ledger can. */
export interface RateFold {
  terms: RateTake
  /** Takes it on its own: undefined, or ms to wait. */
  take(): Promise<number | undefined>
}

/**
 * The per-request pipeline after screening: claims the valid events in the ledger, settles the
 * doubtful ones, admits the rest (the app's verdicts, the time budget) and forwards them.
 */
export function createDelivery(settings: DeliverySettings) {
  const { budget, leaseMs, holdMs, log } = settings
  // Claims and reservations in one step, unless the app's verdicts must come between the two.
  const together = settings.acceptEvent ? undefined : settings.claimWithTime

  /**
   * Claims the events' ids, with their time reserved if the ledger does both at once, and takes
   * the rate limit (`rate`): inside that step where the ledger does, else on its own first. A
   * ledger that ignored the fold has its claims released when the take then refuses.
   */
  const claimEvents = async (ledger: CaliperLedger, byKey: Map<string, TimebackEvent>, owner: string, user: AuthorizedUser, rate?: RateFold) => {
    const ids = [...byKey.keys()]
    // The student's ledger (forStudent) claims with time only if it can itself.
    const withTime = !together ? undefined : ledger === settings.ledger ? together : claimsWithTime(ledger) ? ledger : undefined
    if (!withTime) {
      const wait = await rate?.take()
      if (wait) return { claimed: [], delivered: [], doubtful: [], granted: {}, wait }
      return { ...(await ledger.claim(ids, owner, leaseMs)), granted: {} }
    }
    const credit = [...byKey].flatMap(([key, e]) => {
      const claim = e.type === 'TimeSpentEvent' ? creditClaim(e) : undefined
      return claim ? [{ ...claim, key }] : []
    })
    const claim = await withTime.claimWithTime(ids, owner, leaseMs, user.id, credit, rate?.terms)
    if (!rate || claim.rated || claim.wait !== undefined) return claim
    const wait = await rate.take()
    if (!wait) return claim
    await ledger.release(claim.claimed, owner)
    if (Object.keys(claim.granted).length) await budget.releaseTime(user.id, Object.keys(claim.granted))
    return { claimed: [], delivered: [], doubtful: [], granted: {}, wait }
  }

  /**
   * Of events whose earlier attempt is in doubt, those the platform has (committed now). Unsure
   * (the lookup failed), they are put back in doubt rather than risk a second copy.
   */
  const lookUp = async (doubtful: TimebackEvent[], lease: ClaimLease): Promise<TimebackEvent[]> => {
    if (!doubtful.length) return []
    const keys = doubtful.map((e) => ledgerKey(e.id))
    if (!settings.lookup) {
      log.warn(`forwarding ${doubtful.length} event(s) again whose earlier attempt is in doubt (no lookup)`)
      return []
    }
    try {
      const found = new Set((await settings.lookup(doubtful.map((e) => e.id))).map(ledgerKey))
      await lease.commit(keys.filter((key) => found.has(key)))
      return doubtful.filter((e) => found.has(ledgerKey(e.id)))
    } catch (error) {
      log.error(`lookup failed (${(error as Error).name}); ${doubtful.length} event(s) stay in doubt`)
      await lease.markInDoubt(keys, holdMs)
      return []
    }
  }

  /** Frees the time of these events (not delivered): nothing to do, no call (SQLite would lock). */
  const freeTime = async (user: AuthorizedUser, eventIds: string[]) => {
    if (eventIds.length) await budget.releaseTime(user.id, eventIds)
  }

  /** Delivers `valid` for `user`; with `rate`, the rate limit is taken in the claim's step. */
  return async function deliver(sensor: string, valid: TimebackEvent[], user: AuthorizedUser, rate?: RateFold): Promise<Delivered> {
    const byKey = new Map(valid.map((e) => [ledgerKey(e.id), e]))
    const event = (key: string) => byKey.get(key)!
    const ledger = settings.ledger.forStudent?.(user.id) ?? settings.ledger
    const owner = crypto.randomUUID()
    const claim = await claimEvents(ledger, byKey, owner, user, rate)
    if (claim.wait !== undefined) return { duplicates: [], forwarded: { accepted: [], refused: [], inDoubt: [] }, refused: [], notCredited: [], rateWait: claim.wait }
    const lease = holdClaim(ledger, owner, claim.claimed, leaseMs)
    let budgeted = Object.keys(claim.granted)
    // Ids the platform has or may have (accepted, in doubt): their time is never freed.
    const kept = new Set<string>()
    // While events are on their way, an escaping error cannot tell which arrived: those claims
    // are left to lapse into doubt. Before and after, a claim still held was never sent.
    let sending = false
    try {
      const found = await lookUp(claim.doubtful.map(event), lease)
      const admitted = await admitEvents(claim.claimed.filter((key) => lease.held.has(key)).map(event), user, withReserved(budget, claim.granted), settings.acceptEvent)
      budgeted = [...new Set([...budgeted, ...admitted.budgeted])]
      await lease.release(admitted.refused.map((r) => ledgerKey(r.id)))
      await lease.commit(admitted.empty.map(ledgerKey))
      const { toSend } = admitted
      sending = true
      const forwarded: Forwarded = toSend.length ? await forwardEvents(settings.send, sensor, toSend, lease, holdMs) : { accepted: [], refused: [], inDoubt: [] }
      sending = false
      forwarded.accepted.push(...admitted.empty)
      for (const id of [...forwarded.accepted, ...forwarded.inDoubt]) kept.add(id)
      // Time of events the platform never got is free again (in doubt: it may have them).
      await freeTime(user, budgeted.filter((id) => !kept.has(id)))
      return { duplicates: [...claim.delivered.map(event), ...found].map((e) => e.id), forwarded, refused: admitted.refused, notCredited: admitted.notCredited }
    } catch (error) {
      // Best effort on a failing store: what stays reserved is the time of events not delivered,
      // which their resend replaces (never credited twice); what stays claimed lapses into doubt.
      // While sending, any event may have arrived: its time stays reserved (a resend replaces it).
      if (!sending) {
        await freeTime(user, budgeted.filter((id) => !kept.has(id))).catch(() => {})
        await lease.release([...lease.held]).catch(() => {})
      }
      throw error
    } finally {
      lease.end()
    }
  }
}
