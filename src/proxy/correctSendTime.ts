import type { TimebackEvent } from '../events/eventTypes.js'

/**
 * A difference between an envelope's `sendTime` and this server's clock smaller than this is
 * the request's transit (and the tracker's own estimate already put the dates on the server's
 * clock): it is left alone, so an honest device's dates are forwarded exactly as it made them.
 */
export const TRANSIT_MS = 1000

/**
 * How far to move the dates of an envelope sent at `sendTime` (as the device's clock read it)
 * to put them on this server's clock: `now − sendTime`, the Snowplow correction
 * (`derived = collector − (sent − created)`). 0 without a parsable `sendTime`, or within transit.
 */
export function sendTimeCorrection(sendTime: string | undefined, now: number): number {
  const ms = now - Date.parse(sendTime ?? '')
  return Math.abs(ms) >= TRANSIT_MS ? ms : 0 // NaN (no sendTime) fails the comparison too
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
