import type { EventJournal } from './eventJournal.js'
import { lapsed, type JournalRecord } from './journalRecord.js'

/**
 * Turns checkpoints of dead pages into sendable events. A live page writes its open slice again
 * before the `until` its checkpoint carries (see `JournalRecord.open`); a checkpoint past it
 * belongs to a page that is gone or stalled, and is the best record of its time. The seal checks
 * the promise again in its own transaction, and the page that stalled finds out when it next
 * writes (`activityRunner`). Sealing keeps the id fixed at checkpoint time, so two pages
 * recovering at once produce the same event and the proxy drops the copy. Returns the ids sealed.
 */
export async function sealDeadCheckpoints(journal: EventJournal, records: JournalRecord[], ownSession: string): Promise<Set<string>> {
  const sealed = new Set<string>()
  // In memory, this page sees only the copies it read before IndexedDB failed: their pages may
  // have renewed their promises since. They are sealed once IndexedDB answers again.
  if (journal.mode() === 'memory') return sealed
  for (const { id, open } of records) {
    if (open && open.owner !== ownSession && lapsed(open, Date.now()) && (await journal.seal(id))) sealed.add(id)
  }
  return sealed
}
