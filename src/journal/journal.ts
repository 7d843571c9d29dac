import type { DeadLetter, JournalRecord } from './journalRecord.js'

/** What `read()` found: sendable and open records, and entries that are not records at all. */
export interface JournalContents {
  records: JournalRecord[]
  corrupt: Array<{ key: string; value: unknown }>
}

/**
 * Durable storage of pending events. A small interface so the tracker does not care whether
 * IndexedDB or memory is behind it.
 */
export interface Journal {
  put(records: JournalRecord[]): Promise<void>
  /** Deletes events by id (acknowledged, or moved elsewhere). */
  remove(ids: string[]): Promise<void>
  /** Deletes raw keys (corrupt entries). */
  removeKeys(keys: string[]): Promise<void>
  read(): Promise<JournalContents>
  /** Moves events to the dead-letter area in one transaction. */
  bury(letters: DeadLetter[]): Promise<void>
  deadLetters(): Promise<DeadLetter[]>
  /** Deletes dead letters by id. */
  forget(ids: string[]): Promise<void>
  /**
   * Turns an open checkpoint into a sendable event if it is still open (atomic check-and-set).
   * Resolves true when it sealed one.
   */
  seal(id: string): Promise<boolean>
  /** Lets the connection go (the tracker is destroyed). */
  close(): void
}
