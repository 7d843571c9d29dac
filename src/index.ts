/**
 * Measure learning time in the browser, report it to Timeback as Caliper events.
 *
 * @module timeback-tracker
 */
export * from './tracker/index.js'
export * from './events/index.js'
export * from './core/index.js'
export { TrackerError } from './trackerError.js'
export type { TrackerErrorCode } from './trackerError.js'
export type { Delivery } from './delivery/flusher.js'
export type { StorageMode } from './journal/eventJournal.js'
export type { DeadLetter, JournalRecord } from './journal/journalRecord.js'
