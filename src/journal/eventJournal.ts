import { withDeadline } from '../deadline.js'
import { createIdbJournal } from './idbJournal.js'
import type { Journal, JournalContents } from './journal.js'
import type { DeadLetter, JournalRecord } from './journalRecord.js'

export type StorageMode = 'indexeddb' | 'memory'

/**
 * The journal the tracker uses: IndexedDB behind an in-memory mirror.
 *
 * - The mirror holds every record this page stored (or found) until it is acknowledged, so the
 *   page-hide beacon can be built synchronously.
 * - When an IndexedDB call fails (cannot open, `QuotaExceededError`, `InvalidStateError`,
 *   storage blocked in a third-party iframe), it is retried once on a fresh connection; if that
 *   fails too, the journal carries on in memory for the rest of the page's life and calls
 *   `onStorageFailure` once. Nothing already in the mirror is lost, and no call ever rejects.
 * - A call that has not settled after `deadlineMs` (an open blocked behind another tab's
 *   `deleteDatabase`) counts as failed, so no caller waits forever.
 * - `factory` opens the database instead of the page's `indexedDB` (a Storage Access handle's).
 */
export interface EventJournal extends Journal {
  mode(): StorageMode
  /** Sendable records (not open checkpoints) known to this page, oldest first. Synchronous. */
  pending(): JournalRecord[]
}

export function createEventJournal(
  name: string,
  deadlineMs: number,
  onStorageFailure: (error: unknown) => void,
  factory?: IDBFactory,
): EventJournal {
  const mirror = new Map<string, JournalRecord>()
  const dead = new Map<string, DeadLetter>()
  /** Ids whose put has completed in IndexedDB; a later read that lacks them means acked elsewhere. */
  const durable = new Set<string>()
  let idb: Journal | undefined
  let memoryOnly = false

  /** Runs `op` on IndexedDB with one retry on a fresh connection; undefined once in memory. */
  const attempt = async <T>(op: (journal: Journal) => Promise<T>): Promise<{ value: T } | undefined> => {
    for (let tries = 0; !memoryOnly && tries < 2; tries++) {
      // Connects lazily: an `indexedDB` that throws (blocked storage) throws from `op`.
      const journal = (idb ??= createIdbJournal(name, factory))
      try {
        return { value: await withDeadline(op(journal), deadlineMs, 'IndexedDB') }
      } catch (error) {
        // Calls failing together replace the connection once, leaving none open behind them.
        if (idb === journal) {
          journal.close()
          idb = undefined
        }
        if (tries === 1 && !memoryOnly) {
          memoryOnly = true // said once, even when several writes fail at the same moment
          onStorageFailure(error)
        }
      }
    }
    return undefined
  }

  const drop = (ids: string[]) =>
    ids.forEach((id) => {
      mirror.delete(id)
      durable.delete(id)
    })

  return {
    close() {
      idb?.close()
      idb = undefined
    },
    mode: () => (memoryOnly ? 'memory' : 'indexeddb'),
    pending: () => [...mirror.values()].filter((r) => !r.open).sort((a, b) => a.createdAt - b.createdAt),
    async put(records) {
      records.forEach((r) => mirror.set(r.id, r))
      if (await attempt((j) => j.put(records))) records.forEach((r) => durable.add(r.id))
    },
    async remove(ids) {
      drop(ids)
      await attempt((j) => j.remove(ids))
    },
    async removeKeys(keys) {
      await attempt((j) => j.removeKeys(keys))
    },
    async read(): Promise<JournalContents> {
      const before = new Set(durable)
      const stored = await attempt((j) => j.read())
      if (!stored) return { records: [...mirror.values()], corrupt: [] }
      const seen = new Set(stored.value.records.map((r) => r.id))
      drop([...before].filter((id) => !seen.has(id) && !mirror.get(id)?.open))
      for (const record of stored.value.records) {
        // The stored copy is authoritative (another page may have sealed a checkpoint).
        if (!mirror.has(record.id) || !record.open) mirror.set(record.id, record)
        durable.add(record.id)
      }
      return stored.value
    },
    async bury(letters) {
      letters.forEach((letter) => dead.set(letter.id, letter))
      drop(letters.map((l) => l.id))
      if (await attempt((j) => j.bury(letters))) letters.forEach((l) => dead.delete(l.id))
    },
    async deadLetters() {
      const stored = await attempt((j) => j.deadLetters())
      return [...(stored?.value ?? []), ...dead.values()]
    },
    async forget(ids) {
      ids.forEach((id) => dead.delete(id))
      await attempt((j) => j.forget(ids))
    },
    async seal(id) {
      const stored = await attempt((j) => j.seal(id))
      const record = mirror.get(id)
      if (stored) {
        if (stored.value && record) delete record.open
        return stored.value
      }
      if (!record?.open) return false
      delete record.open
      return true
    },
  }
}
