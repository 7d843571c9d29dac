import type { TimebackEvent, TimeSpentEvent } from '../../events/eventTypes.js'
import { creditClaim, trimCredit } from '../store/creditedTime.js'
import type { TimeBudget } from '../store/timeBudget.js'
import type { AuthorizedUser } from './authorizedUser.js'
import type { Rejection } from './screenEvents.js'

/** The app's own rules for an event about to be forwarded: `true`, or why it is refused. */
export type AcceptEvent = (event: TimebackEvent, user: AuthorizedUser) => boolean | string | Promise<boolean | string>

export interface Admitted {
  toSend: TimebackEvent[]
  refused: Rejection[]
  /** Left with no credited time to report: done without a call upstream. */
  empty: string[]
  /** Forwarded with less credited time than they claimed: that much already passed elsewhere. */
  notCredited: Array<{ id: string; seconds: number }>
  /** Ids whose time was reserved in the budget. */
  budgeted: string[]
}

/**
 * The app's verdicts (`acceptEvent`), then the student's time budget: credited time already
 * placed elsewhere is taken out before forwarding.
 */
export async function admitEvents(
  events: TimebackEvent[],
  user: AuthorizedUser,
  budget: TimeBudget,
  acceptEvent?: AcceptEvent,
): Promise<Admitted> {
  const verdicts = await Promise.all(events.map((e) => acceptEvent?.(e, user) ?? true))
  const refused: Rejection[] = []
  const allowed = events.filter((event, i) => {
    const verdict = verdicts[i]
    if (verdict !== true) refused.push({ id: event.id, errors: [{ path: '', message: typeof verdict === 'string' ? verdict : 'refused by the app' }] })
    return verdict === true
  })
  const claims = allowed.flatMap((e) => (e.type === 'TimeSpentEvent' ? (creditClaim(e) ?? []) : []))
  const granted = claims.length ? await budget.reserveTime(user.id, claims) : []
  const notCredited: Admitted['notCredited'] = []
  const empty: string[] = []
  const claimOf = new Map(claims.map((c, i) => [c.id, i]))
  const toSend = allowed.flatMap((event) => {
    const i = claimOf.get(event.id) ?? -1
    if (i < 0 || granted[i] === claims[i]!.ms) return [event]
    notCredited.push({ id: event.id, seconds: (claims[i]!.ms - granted[i]!) / 1000 })
    const trimmed = trimCredit(event as TimeSpentEvent, claims[i]!.ms - granted[i]!)
    if (trimmed.generated.items.length) return [trimmed]
    empty.push(event.id)
    return []
  })
  return { toSend, refused, empty, notCredited, budgeted: claims.map((c) => c.id) }
}
