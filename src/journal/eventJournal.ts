import { withDeadline } from '../deadline.js'
import { BACKOFF_BASE_MS } from '../delivery/backoff.js'
import { createIdbJournal } from './idbJournal.js'
import type { Journal, JournalContents } from './journal.js'
import { sealRecord, type DeadLetter, type JournalRecord } from './journalRecord.js'

/**
 * Where the tracker keeps events now (`snapshot().queue.storage`): `memory` while IndexedDB does
 * not work, until it stores again.
 */
export type StorageMode = 'indexeddb' | 'memory'

/** In memory mode, IndexedDB is tried again after 1 s, 2 s, 4 s… and then every 30 s. */
export const RESTORE_CAP_MS = 30_000

/**
 * The journal the tracker uses: IndexedDB behind an in-memory mirror.
 *
 * - The mirror holds every record this page stored (or found) until it is acknowledged, so the
 *   page-hide beacon can be built synchronously.
 * - A failed IndexedDB call (`QuotaExceededError`, `InvalidStateError` on a closed connection) is
 *   retried once on a fresh connection; a call that has not settled after `deadlineMs` (a
 *   transaction queued behind another tab's, an open blocked behind a `deleteDatabase`) is not,
 *   as a fresh connection would wait behind the same tab. Then the journal works from memory
 *   (`onModeChange('memory', error)`): calls settle at once, so flushes, checkpoints and beacons go on.
 * - Memory mode is left as soon as IndexedDB stores again: tried on a backoff (timers only in
 *   memory mode), each try writing back the records whose latest version it did not confirm and
 *   the dead letters kept in memory, then `onModeChange('indexeddb')`. Only a write tells (over its quota,
 *   IndexedDB still reads and deletes): with nothing to write, nothing is at risk, and the next
 *   `put` tries at once. Refusals (a third-party iframe, private browsing) are tried the same
 *   way, so at most once per 30 s while an activity runs, and never said again.
 * - A deadline is not a refusal: a call may still complete later, after the calls made before
 *   it (IndexedDB runs readwrite transactions on a store in the order they were created), and a
 *   connection that opens after its deadline is closed unused. A late `put` that lands after the
 *   record was acknowledged brings it back until the next flush sends it again (the proxy
 *   answers it as a duplicate; nothing is credited twice); a late `remove`, `bury` or `seal`
 *   only does again what memory mode did.
 * - No call ever rejects. `factory` opens the database instead of the page's `indexedDB` (a
 *   Storage Access handle's).
 */
export interface EventJournal extends Journal {
  mode(): StorageMode
  /** Sendable records (not open checkpoints) known to this page, oldest first. Synchronous. */
  pending(): JournalRecord[]
  /**
   * This page's student's latest delivery token (the flusher keeps it), written on each record
   * the page stores: it leaves the browser with that student's last record.
   */
  token?: string | undefined
}

export function createEventJournal(
  name: string,
  deadlineMs: number,
  onModeChange: (mode: StorageMode, error?: unknown) => void,
  factory?: IDBFactory,
): EventJournal {
  const mirror = new Map<string, JournalRecord>()
  /** Dead letters IndexedDB did not confirm. */
  const dead = new Map<string, DeadLetter>()
  /**
   * Records (these very objects) IndexedDB confirmed it holds: the mirror's others are to be
   * written back, and a later read that lacks one means it was acknowledged elsewhere.
   */
  const saved = new WeakSet<JournalRecord>()
  let idb: Journal | undefined
  let down = false
  let idle = false
  let retries = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  /** Runs `op` on IndexedDB once, on a fresh connection if the last one failed. */
  const once = async <T>(op: (journal: Journal) => Promise<T>): Promise<{ value: T }> => {
    // Connects lazily: an `indexedDB` that throws (blocked storage) throws from `op`.
    const journal = (idb ??= createIdbJournal(name, factory))
    try {
      const value = await withDeadline(op(journal), deadlineMs, 'IndexedDB')
      return { value }
    } catch (error) {
      // Calls failing together replace the connection once, leaving none open behind them.
      if (idb === journal) {
        journal.close()
        idb = undefined
      }
      throw error
    }
  }

  /** `op` on IndexedDB, unless in memory mode; undefined when it did not (yet) happen there. */
  const attempt = async <T>(op: (journal: Journal) => Promise<T>): Promise<{ value: T } | undefined> => {
    for (let tries = 0; !down && tries < 2; tries++) {
      try {
        return await once(op)
      } catch (error) {
        // A missed deadline is no DOMException: a fresh connection would queue behind the same tab.
        if (tries || !(error instanceof DOMException)) lose(error)
      }
    }
    return undefined
  }

  const lose = (error: unknown) => {
    if (down || closed) return // said once, even when several calls fail at the same moment
    down = true
    onModeChange('memory', error)
    retry()
  }
  const retry = () => void (closed || (timer = setTimeout(restore, Math.min(RESTORE_CAP_MS, BACKOFF_BASE_MS * 2 ** retries++))))
  const restore = () => {
    // Only a write that adds data tells that IndexedDB stores again (over its quota, reads and
    // deletes still work). With nothing to write nothing is at risk: the next put tries.
    idle = !unsaved().length
    if (!idle)
      once(writeBack).then(() => {
        if (closed) return
        down = false
        retries = 0
        onModeChange('indexeddb')
        // Whatever changed in memory while the write-back was under way.
        void attempt(writeBack)
      }, retry)
  }

  const unsaved = () => [...mirror.values()].filter((r) => !saved.has(r))
  const confirm = (records: JournalRecord[]) => records.forEach((r) => saved.add(r))
  /** What memory mode kept: the records IndexedDB did not confirm (each as it is now), dead letters. */
  const writeBack = async (journal: Journal) => {
    const records = unsaved()
    const letters = [...dead.values()]
    await journal.put(records)
    await journal.bury(letters)
    confirm(records)
    letters.forEach((l) => dead.delete(l.id))
  }

  const drop = (ids: string[]) => ids.forEach((id) => mirror.delete(id))

  return {
    close() {
      closed = true
      clearTimeout(timer)
      idb?.close()
      idb = undefined
    },
    mode: () => (down ? 'memory' : 'indexeddb'),
    pending: () => [...mirror.values()].filter((r) => !r.open).sort((a, b) => a.createdAt - b.createdAt),
    async put(records) {
      records.forEach((r) => mirror.set(r.id, r))
      if (idle) restore()
      if (await attempt((j) => j.put(records))) confirm(records)
    },
    async remove(ids) {
      drop(ids)
      await attempt((j) => j.remove(ids))
    },
    async removeKeys(keys) {
      await attempt((j) => j.removeKeys(keys))
    },
    async read(): Promise<JournalContents> {
      const before = [...mirror.values()].filter((r) => saved.has(r))
      const stored = await attempt((j) => j.read())
      if (!stored) return { records: [...mirror.values()], corrupt: [] }
      const seen = new Set(stored.value.records.map((r) => r.id))
      for (const r of before) if (!seen.has(r.id) && !r.open) mirror.delete(r.id)
      for (const record of stored.value.records) {
        // The stored copy is authoritative (another page may have sealed a checkpoint).
        if (!mirror.has(record.id) || !record.open) mirror.set(record.id, record)
        saved.add(record)
      }
      return stored.value
    },
    async bury(letters) {
      drop(letters.map((l) => l.id))
      if (!(await attempt((j) => j.bury(letters)))) letters.forEach((l) => dead.set(l.id, l))
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
        if (stored.value && record) sealRecord(record)
        return stored.value
      }
      if (!record?.open) return false
      sealRecord(record)
      return true
    },
  }
}
