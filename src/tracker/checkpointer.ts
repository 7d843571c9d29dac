import type { EventJournal } from '../journal/eventJournal.js'
import type { JournalRecord } from '../journal/journalRecord.js'
import type { PageLocks } from '../journal/webLocks.js'

/**
 * One page's writes of its activity's slices, and the Web Lock that tells other pages it is
 * alive. The invariants live here, in one place:
 * - a checkpoint is written only while the page holds its lock (a page that finds the lock
 *   free may seal the checkpoint into an event), and only if it is still the slice's latest
 *   state: a final write of the same slice is never overtaken by a checkpoint;
 * - the lock is let go only once the last final write is stored.
 */
export interface Checkpointer {
  /** Final records (closed slices, completions): in the mirror at once, for beacons, then stored. */
  store(records: JournalRecord[]): Promise<void>
  /** The open slice as it stands (`record.open` set). */
  checkpoint(record: JournalRecord): void
  /** The page is hidden, going away or done: let the lock go after the final writes. */
  release(): void
}

export function createCheckpointer(journal: EventJournal, locks: PageLocks, lockName: string, stored: () => void): Checkpointer {
  let lock: Promise<() => void> | undefined
  let lastWrite = Promise.resolve()
  /** The checkpoint still to be written, unless a newer one or the slice's final write came. */
  let latest: JournalRecord | undefined
  return {
    store(records) {
      if (!records.length) return Promise.resolve()
      if (records.some((r) => r.id === latest?.id)) latest = undefined
      lastWrite = journal.put(records)
      stored()
      return lastWrite
    },
    checkpoint(record) {
      latest = record
      lock ??= locks.hold(lockName)
      void lock.then(() => {
        if (latest === record) return journal.put([record])
      })
    },
    release() {
      const held = lock
      lock = undefined
      void held?.then((release) => lastWrite.finally(release))
    },
  }
}
