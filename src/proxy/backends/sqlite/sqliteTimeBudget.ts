import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { AtomicSpanStore, Placement } from '../../store/spanStore.js'
import type { SqliteDatabase } from './sqliteDatabase.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'
import { SWEEP_BATCH, SWEEP_EVERY } from '../../store/sweepSettings.js'

/**
 * The spans in SQLite, beside the ledger's table. A reservation reads the student's spans and
 * writes its own in one IMMEDIATE transaction, so processes sharing the file never both place
 * time in the same free stretch.
 */
export function createSqliteSpanStore(db: SqliteDatabase, options: TimeBudgetOptions): AtomicSpanStore {
  const now = options.now ?? Date.now
  db.exec(`CREATE TABLE IF NOT EXISTS caliper_credit (
    student TEXT NOT NULL,
    event_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
  )`)
  db.exec('CREATE INDEX IF NOT EXISTS caliper_credit_student ON caliper_credit (student, "end")')
  db.exec('CREATE INDEX IF NOT EXISTS caliper_credit_event ON caliper_credit (event_id)')
  db.exec('CREATE INDEX IF NOT EXISTS caliper_credit_end ON caliper_credit ("end")')
  const sweep = db.prepare(
    `DELETE FROM caliper_credit WHERE rowid IN (SELECT rowid FROM caliper_credit WHERE "end" <= ? LIMIT ${SWEEP_BATCH})`,
  )
  const select = db.prepare('SELECT event_id AS id, start, "end" FROM caliper_credit WHERE student = ? AND "end" > ? AND start < ?')
  const remove = db.prepare('DELETE FROM caliper_credit WHERE student = ? AND event_id = ?')
  const insert = db.prepare('INSERT INTO caliper_credit (student, event_id, start, "end") VALUES (?, ?, ?, ?)')

  let reservations = 0
  const place = db.transaction(
    (student: string, from: number, to: number, ids: string[], placement: Placement<unknown>) => {
      if (++reservations % SWEEP_EVERY === 0) sweep.run(now() - options.ttlMs)
      const { placed, result } = placement(select.all(student, from, to) as PlacedSpan[])
      for (const id of ids) remove.run(student, id)
      for (const span of placed) insert.run(student, span.id, span.start, span.end)
      return result
    },
  )
  const release = db.transaction((student: string, ids: string[]) => ids.forEach((id) => remove.run(student, id)))

  return {
    async placeAtomically<T>(student: string, from: number, to: number, ids: string[], placement: Placement<T>) {
      return place.immediate(student, from, to, ids, placement) as T
    },
    releaseSpans: async (student, ids) => void release.immediate(student, ids),
  }
}

/** The time budget in SQLite. */
export const createSqliteTimeBudget = (db: SqliteDatabase, options: TimeBudgetOptions): TimeBudget =>
  createTimeBudget(createSqliteSpanStore(db, options))
