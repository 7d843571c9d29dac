import { toCaliperTime } from './caliperTime.js'
import { CALIPER_CONTEXT } from './constants.js'
import type { CaliperEnvelope } from './eventTypes.js'

/**
 * Wraps events in the Caliper envelope the Events API takes. `sensor` is the app's URL.
 * Events are not re-validated here: they come from the builders.
 * @throws {RangeError} for an empty `data` (the API wants at least one item).
 */
export function buildEnvelope<E>(sensor: string, data: E[], sendTime: number = Date.now()): CaliperEnvelope<E> {
  if (data.length === 0) throw new RangeError('buildEnvelope: data must hold at least one event')
  return { sensor, sendTime: toCaliperTime(sendTime), dataVersion: CALIPER_CONTEXT, data }
}
