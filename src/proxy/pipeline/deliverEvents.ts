import type { TimebackEvent } from '../../events/eventTypes.js'
import { holdClaim, type ClaimLease } from '../store/claimLease.js'
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
}

export interface Delivered {
  duplicates: string[]
  forwarded: Forwarded
  refused: Rejection[]
  notCredited: Admitted['notCredited']
}

export const NOTHING_FORWARDED: Forwarded = { accepted: [], refused: [], inDoubt: [] }

/**
 * The per-request pipeline after screening: claims the valid events in the ledger, settles the
 * doubtful ones, admits the rest (the app's verdicts, the time budget) and forwards them.
 */
export function createDelivery(settings: DeliverySettings) {
  const { ledger, budget, leaseMs, holdMs, log } = settings

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

  return async function deliver(sensor: string, valid: TimebackEvent[], user: AuthorizedUser): Promise<Delivered> {
    const byKey = new Map(valid.map((e) => [ledgerKey(e.id), e]))
    const event = (key: string) => byKey.get(key)!
    const owner = crypto.randomUUID()
    const claim = await ledger.claim([...byKey.keys()], owner, leaseMs)
    const lease = holdClaim(ledger, owner, claim.claimed, leaseMs)
    let budgeted: string[] = []
    // Ids the platform has or may have (accepted, in doubt): their time is never freed.
    const kept = new Set<string>()
    // While events are on their way, an escaping error cannot tell which arrived: those claims
    // are left to lapse into doubt. Before and after, a claim still held was never sent.
    let sending = false
    try {
      const found = await lookUp(claim.doubtful.map(event), lease)
      const admitted = await admitEvents(claim.claimed.filter((key) => lease.held.has(key)).map(event), user, budget, settings.acceptEvent)
      budgeted = admitted.budgeted
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
      await freeTime(user, budgeted.filter((id) => !kept.has(id))).catch(() => {})
      if (!sending) await lease.release([...lease.held]).catch(() => {})
      throw error
    } finally {
      lease.end()
    }
  }
}
