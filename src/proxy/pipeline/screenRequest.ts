import type { TimebackEvent } from '../../events/eventTypes.js'
import type { FieldIssue } from '../../events/validationError.js'
import type { AuthorizedUser } from './authorizedUser.js'
import { sendTimeCorrection, shiftEventDates } from './correctSendTime.js'
import { findImplausible, type PlausibilityLimits } from './eventPlausibility.js'
import { screenEvents, type Screened } from './screenEvents.js'

export interface ScreenSettings {
  limits: Omit<PlausibilityLimits, 'now' | 'bySendTime'>
  activityEvents?: 'browser' | 'server-only' | undefined
}

/**
 * Screens a request's events for `user`: schema and actor, then the proxy's own refusals.
 * Each valid event is first put on this server's clock by the envelope's `sendTime`, read
 * against `arrived` (when the request came in, so time spent here on sign-in or the body is
 * not taken for the device's clock); the checks then hold relative to that, so an event dated
 * after it was sent is still refused. An event whose corrected dates fail only where its dates
 * as made pass was dated before its device's clock changed (set back, or a dead battery before
 * the network time arrives): it goes as made. A forger gains nothing by it, since both lie in
 * the same allowed window.
 */
export function screenRequest(
  settings: ScreenSettings,
  data: unknown[],
  user: AuthorizedUser,
  fromServer: boolean,
  arrived: number,
  sendTime?: string,
): Screened {
  const screened = screenEvents(data, user)
  const at = { ...settings.limits, now: arrived, bySendTime: sendTime !== undefined }
  const correction = sendTimeCorrection(sendTime, arrived)
  const check = (event: TimebackEvent): FieldIssue[] =>
    !fromServer && event.type === 'ActivityEvent' && settings.activityEvents === 'server-only'
      ? [{ path: 'type', message: 'ActivityEvents are sent by the app server only' }]
      : findImplausible(event, at)
  screened.valid = screened.valid.flatMap((made) => {
    const event = shiftEventDates(made, correction)
    const errors = check(event)
    if (!errors.length) return [event]
    if (event !== made && !check(made).length) return [made]
    screened.rejected.push({ id: event.id, errors })
    return []
  })
  return screened
}
