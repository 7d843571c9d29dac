import type { SqliteDatabase } from './sqliteDatabase.js'

/** Runs `work` in the next group transaction; resolves once that transaction is on disk. */
export type GroupCommit = <T>(work: () => T) => Promise<T>

interface Queued {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: the ledger and budget work of concurrent requests runs in one IMMEDIATE
 * transaction, so they share one fsync instead of paying one each. Work queued while the
 * event loop is busy (better-sqlite3 blocks it for the whole transaction, fsync included) joins
 * the next transaction, started once the pending I/O callbacks have run (`setImmediate`). Each
 * piece of work runs in its own savepoint: one that throws is rolled back alone and fails alone.
 * Nothing resolves before the transaction commits, so no answer reports what a crash could lose.
 */
export function createGroupCommit(db: SqliteDatabase): GroupCommit {
  let queue: Queued[] = []
  const runAll = db.transaction((batch: Queued[]) =>
    batch.map((item) => {
      try {
        return { ok: true as const, value: db.transaction(item.work)() }
      } catch (error) {
        return { ok: false as const, error }
      }
    }),
  )
  const flush = () => {
    const batch = queue
    queue = []
    let outcomes
    try {
      outcomes = runAll.immediate(batch)
    } catch (error) {
      // BEGIN or COMMIT failed (busy past the timeout, a disk error): nothing in it happened.
      for (const item of batch) item.reject(error)
      return
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)))
  }
  return <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      if (!queue.length) setImmediate(flush)
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
    })
}
