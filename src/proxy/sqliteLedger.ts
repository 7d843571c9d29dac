import type { CaliperLedger } from './ledger.js'
import { createSqliteTimeBudget } from './sqliteTimeBudget.js'
import { MIN_BUDGET_TTL_MS, type TimeBudget } from './timeBudget.js'

/** The part of a better-sqlite3 `Database` this ledger uses (so the dependency stays optional). */
export interface SqliteDatabase {
  exec(sql: string): unknown
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] }
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R
}

export interface SqliteLedgerOptions {
  /** How long delivered ids are remembered. Default 90 days. */
  ttlMs?: number
  now?: () => number
}

/**
 * A durable ledger in SQLite (better-sqlite3, an optional peer dependency): survives restarts,
 * and several processes sharing the file claim atomically (SQLite serialises writers).
 *
 * @example
 * import Database from 'better-sqlite3'
 * const ledger = createSqliteLedger(new Database('caliper-ledger.db'))
 */
export function createSqliteLedger(db: SqliteDatabase, options: SqliteLedgerOptions = {}): CaliperLedger & TimeBudget {
  const ttl = options.ttlMs ?? 90 * 24 * 3_600_000
  const now = options.now ?? Date.now
  db.exec('PRAGMA journal_mode = WAL')
  db.exec(`CREATE TABLE IF NOT EXISTS caliper_ledger (
    id TEXT PRIMARY KEY,
    delivered INTEGER NOT NULL,
    until INTEGER NOT NULL
  )`)
  const purge = db.prepare('DELETE FROM caliper_ledger WHERE until <= ?')
  const find = db.prepare('SELECT delivered FROM caliper_ledger WHERE id = ?')
  const insert = db.prepare('INSERT INTO caliper_ledger (id, delivered, until) VALUES (?, 0, ?)')
  const deliver = db.prepare('INSERT INTO caliper_ledger (id, delivered, until) VALUES (?, 1, ?) ON CONFLICT(id) DO UPDATE SET delivered = 1, until = excluded.until')
  const free = db.prepare('DELETE FROM caliper_ledger WHERE id = ? AND delivered = 0')

  const claim = db.transaction((ids: string[], leaseMs: number) => {
    const t = now()
    purge.run(t)
    const claimed: string[] = []
    const delivered: string[] = []
    for (const id of new Set(ids)) {
      const row = find.get(id) as { delivered: number } | undefined
      if (!row) {
        insert.run(id, t + leaseMs)
        claimed.push(id)
      } else if (row.delivered) delivered.push(id)
    }
    return { claimed, delivered }
  })
  const commit = db.transaction((ids: string[]) => ids.forEach((id) => deliver.run(id, now() + ttl)))
  const release = db.transaction((ids: string[]) => ids.forEach((id) => free.run(id)))

  return {
    ...createSqliteTimeBudget(db, { ttlMs: Math.max(ttl, MIN_BUDGET_TTL_MS), now }),
    claim: async (ids, leaseMs) => claim(ids, leaseMs),
    commit: async (ids) => void commit(ids),
    release: async (ids) => void release(ids),
  }
}
