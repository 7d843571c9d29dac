import { passing } from './fieldSchemas.js'

/** A point in time given by the app or the tracker: a `Date` or epoch milliseconds. */
export type TimeInput = number | Date

export const timeInput = passing<TimeInput>(
  (v) => (typeof v === 'number' && Number.isFinite(v)) || (v instanceof Date && !Number.isNaN(v.getTime())),
  'must be a valid Date or epoch milliseconds',
)

export function toEpochMs(time: TimeInput): number {
  return typeof time === 'number' ? time : time.getTime()
}
