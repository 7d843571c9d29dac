import type { TimebackEvent } from '../../events/eventTypes.js'

/**
 * A device clock within this of the proxy's is taken as right: the difference between `sendTime`
 * and the proxy's clock is then mostly the request's transit, which varies from one request to
 * the next. Moving each envelope by its own transit would move an activity's consecutive slices
 * by different amounts, into each other (the time budget trims overlaps beyond its 1 s of
 * rounding), so an honest device's dates are forwarded exactly as it made them.
 */
export const TRANSIT_MS = 10_000

/**
 * How far to move the dates of an envelope sent at `sendTime` (as the device's clock read it)
 * to put them on this server's clock: `now − sendTime` (Snowplow's
 * `derived = collector − (sent − created)`), less the `TRANSIT_MS` taken as right. So the
 * correction grows from 0 without a jump (a device clock near the limit, whose envelopes fall
 * on either side of it, does not see its slices moved into each other) and dates are left at
 * most `TRANSIT_MS` off. 0 without a parsable `sendTime`.
 */
export function sendTimeCorrection(sendTime: string | undefined, now: number): number {
  const ms = now - Date.parse(sendTime ?? '')
  return Math.abs(ms) > TRANSIT_MS ? ms - Math.sign(ms) * TRANSIT_MS : 0 // NaN (no sendTime) fails the comparison too
}

const moved = (time: string, ms: number) => new Date(Date.parse(time) + ms).toISOString()

/**
 * `event` (valid by schema) with every date it carries moved by `ms`: `eventTime` and each
 * item's `startDate`/`endDate`. Only dates move: values, and so credited time, stay as they are.
 */
export function shiftEventDates(event: TimebackEvent, ms: number): TimebackEvent {
  if (!ms) return event
  const shifted = structuredClone(event)
  shifted.eventTime = moved(shifted.eventTime, ms)
  if (shifted.type === 'TimeSpentEvent') {
    for (const item of shifted.generated.items) {
      if (item.startDate !== undefined) item.startDate = moved(item.startDate, ms)
      if (item.endDate !== undefined) item.endDate = moved(item.endDate, ms)
    }
  }
  return shifted
}
