import { placeCredit, type CreditClaim, type PlacedSpan } from '../../store/creditedTime.js'
import type { SqliteDatabase } from './sqliteDatabase.js'
import { overlapping, windowOf, type TimeBudget, type TimeBudgetOptions } from '../../store/timeBudget.js'

/** Expired spans are deleted every few hundred reservations, a batch at a time, so no request pays for a large backlog. */
const SWEEP_EVERY = 256
const SWEEP_BATCH = 1000

/**
 * The time budget in SQLite, beside the ledger's table. A reservation reads the student's spans
 * and writes its own in one IMMEDIATE transaction, so processes sharing the file never both
 * place time in the same free stretch.
 */
export function createSqliteTimeBudget(db: SqliteDatabase, options: TimeBudgetOptions): TimeBudget {
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
  const reserve = db.transaction((student: string, claims: CreditClaim[]) => {
    if (++reservations % SWEEP_EVERY === 0) sweep.run(now() - options.ttlMs)
    const { from, to } = windowOf(claims)
    const spans = select.all(student, from, to) as PlacedSpan[]
    const { granted, placed } = placeCredit(overlapping(spans, claims), claims)
    for (const claim of claims) remove.run(student, claim.id)
    for (const span of placed) insert.run(student, span.id, span.start, span.end)
    return granted
  })
  const release = db.transaction((student: string, ids: string[]) => ids.forEach((id) => remove.run(student, id)))

  return {
    reserveTime: async (student, claims) => reserve.immediate(student, claims),
    releaseTime: async (student, ids) => void release.immediate(student, ids),
  }
}
