import type { EventJournal } from './eventJournal.js'
import type { JournalRecord } from './journalRecord.js'
import type { PageLocks } from './webLocks.js'

/** Without Web Locks, a checkpoint untouched this long is taken to belong to a dead page. */
export const STALE_CHECKPOINT_MS = 5 * 60_000

/**
 * Turns checkpoints of dead pages into sendable events. A page holds its Web Lock while it has
 * an open checkpoint; if the lock is free the page is gone (crashed, killed, discarded), and the
 * last checkpoint is the best record of its time. Sealing keeps the id fixed at checkpoint time,
 * so two pages recovering at once produce the same event and the proxy drops the copy.
 * Returns the ids sealed.
 */
export async function sealDeadCheckpoints(journal: EventJournal, locks: PageLocks, records: JournalRecord[], ownSession: string): Promise<Set<string>> {
  const sealed = new Set<string>()
  const seal = async (record: JournalRecord) => {
    if (await journal.seal(record.id)) sealed.add(record.id)
  }
  for (const record of records) {
    const open = record.open
    if (!open || open.owner === ownSession) continue
    const free = await locks.ifFree(open.lock, () => seal(record))
    if (free === undefined && Date.now() - open.at > STALE_CHECKPOINT_MS) await seal(record)
  }
  return sealed
}
