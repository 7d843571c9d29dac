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
    try {
      const found = await lookUp(claim.doubtful.map(event), lease)
      const admitted = await admitEvents(claim.claimed.filter((key) => lease.held.has(key)).map(event), user, budget, settings.acceptEvent)
      budgeted = admitted.budgeted
      await lease.release(admitted.refused.map((r) => ledgerKey(r.id)))
      await lease.commit(admitted.empty.map(ledgerKey))
      const { toSend } = admitted
      const forwarded: Forwarded = toSend.length ? await forwardEvents(settings.send, sensor, toSend, lease, holdMs) : { accepted: [], refused: [], inDoubt: [] }
      forwarded.accepted.push(...admitted.empty)
      // Time of events the platform never got is free again (in doubt: it may have them).
      const kept = new Set([...forwarded.accepted, ...forwarded.inDoubt])
      await freeTime(user, budgeted.filter((id) => !kept.has(id)))
      return { duplicates: [...claim.delivered.map(event), ...found].map((e) => e.id), forwarded, refused: admitted.refused, notCredited: admitted.notCredited }
    } catch (error) {
      await freeTime(user, budgeted)
      throw error
    } finally {
      lease.end()
    }
  }
}
