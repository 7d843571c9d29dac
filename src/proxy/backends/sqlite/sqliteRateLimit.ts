import { takeAllowance, type AllowanceState } from '../../store/allowance.js'
import type { RateCost, RateLimitStore } from '../../store/rateLimitStore.js'
import type { SqliteDatabase } from './sqliteDatabase.js'

const SWEEP_EVERY = 256
const SWEEP_BATCH = 500

/**
 * The rate limits in SQLite, beside the ledger's table, for processes sharing the file: one
 * IMMEDIATE transaction per request reads the student's allowances, applies `takeAllowance`
 * and writes them back, so two processes never both spend the same allowance.
 */
export function createSqliteRateLimit(db: SqliteDatabase, now: () => number): RateLimitStore {
  db.exec(`CREATE TABLE IF NOT EXISTS caliper_rate (
    student TEXT PRIMARY KEY, requests REAL NOT NULL, events REAL NOT NULL)`)
  const read = db.prepare('SELECT requests, events FROM caliper_rate WHERE student = ?')
  const write = db.prepare(`INSERT INTO caliper_rate (student, requests, events) VALUES (?, ?, ?)
    ON CONFLICT(student) DO UPDATE SET requests = excluded.requests, events = excluded.events`)
  const sweep = db.prepare(`DELETE FROM caliper_rate WHERE rowid IN
    (SELECT rowid FROM caliper_rate WHERE max(requests, events) < ? LIMIT ${SWEEP_BATCH})`)
  let takes = 0
  const take = db.transaction((student: string, cost: RateCost, perMinute: RateCost) => {
    const t = now()
    if (++takes % SWEEP_EVERY === 0) sweep.run(t)
    const { state, waitMs } = takeAllowance(read.get(student) as AllowanceState | undefined, cost, perMinute, t)
    if (waitMs === undefined) write.run(student, state.requests, state.events)
    return waitMs
  })
  return { takeAllowance: async (student, cost, perMinute) => take.immediate(student, cost, perMinute) }
}
