import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { SqliteDatabase, SqliteStatement } from './sqliteDatabase.js'
import { createSqliteTimeBudget } from './sqliteTimeBudget.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'

export interface SqliteLedgerOptions extends LedgerOptions {
  now?: () => number
  /** How long a writer waits for another process's lock before failing. Default 5 s. */
  busyTimeoutMs?: number
}

const SWEEP_EVERY = 256
const SWEEP_BATCH = 500

/**
 * A durable ledger in SQLite (better-sqlite3, an optional peer dependency): survives restarts,
 * and several processes on one machine sharing the file claim atomically (each claim is an
 * IMMEDIATE transaction, so SQLite serialises writers). Expired rows are swept in small batches
 * along an index, every few hundred claims, so no request pays for a large purge.
 *
 * @example
 * import Database from 'better-sqlite3'
 * const ledger = createSqliteLedger(new Database('caliper-ledger.db'))
 */
export function createSqliteLedger(db: SqliteDatabase, options: SqliteLedgerOptions = {}): CaliperLedger & TimeBudget {
  const ttl = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS
  const now = options.now ?? Date.now
  db.pragma('journal_mode = WAL')
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  migrate(db)
  // `owner` is NULL while in doubt; `until` ends the lease, hold or retention; `purge_at` is
  // when the row may go (a claim or doubt stays `ttl` past its end, to be doubted if resent).
  const find = db.prepare('SELECT delivered, until FROM caliper_ledger WHERE id = ?')
  const take = db.prepare(`INSERT INTO caliper_ledger (id, delivered, owner, until, purge_at)
    VALUES (?, 0, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET delivered = 0, owner = excluded.owner,
    until = excluded.until, purge_at = excluded.purge_at`)
  const mine = 'WHERE id = ? AND owner = ? AND delivered = 0'
  const renew = db.prepare(`UPDATE caliper_ledger SET until = ?, purge_at = ? ${mine}`)
  const commit = db.prepare(`UPDATE caliper_ledger SET delivered = 1, owner = NULL, until = ?, purge_at = ? ${mine}`)
  const release = db.prepare(`DELETE FROM caliper_ledger ${mine}`)
  const doubt = db.prepare(`UPDATE caliper_ledger SET owner = NULL, until = ?, purge_at = ? ${mine}`)
  const sweep = db.prepare(`DELETE FROM caliper_ledger WHERE rowid IN
    (SELECT rowid FROM caliper_ledger WHERE purge_at <= ? LIMIT ${SWEEP_BATCH})`)
  let claims = 0

  const claim = db.transaction((ids: string[], owner: string, leaseMs: number) => {
    const t = now()
    if (++claims % SWEEP_EVERY === 0) sweep.run(t)
    const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
    for (const id of new Set(ids)) {
      const row = find.get(id) as { delivered: number; until: number } | undefined
      if (row && row.until > t) {
        if (row.delivered) result.delivered.push(id)
        continue
      }
      if (row && !row.delivered) result.doubtful.push(id)
      take.run(id, owner, t + leaseMs, t + leaseMs + ttl)
      result.claimed.push(id)
    }
    return result
  })
  // Each transition is one transaction: all of a request's ids change together or none do.
  const each = (statement: SqliteStatement, times: (t: number, ms: number) => number[]) =>
    db.transaction((ids: string[], owner: string, ms: number) => {
      const t = now()
      return ids.filter((id) => (statement.run(...times(t, ms), id, owner) as { changes: number }).changes > 0)
    })
  const renewAll = each(renew, (t, ms) => [t + ms, t + ms + ttl])
  const commitAll = each(commit, (t) => [t + ttl, t + ttl])
  const releaseAll = each(release, () => [])
  const doubtAll = each(doubt, (t, ms) => [t + ms, t + ms + ttl])

  return {
    ...createSqliteTimeBudget(db, { ttlMs: budgetTtl(ttl), now }),
    claim: async (ids, owner, leaseMs) => claim.immediate(ids, owner, leaseMs),
    renew: async (ids, owner, leaseMs) => renewAll.immediate(ids, owner, leaseMs),
    commit: async (ids, owner) => void commitAll.immediate(ids, owner, 0),
    release: async (ids, owner) => void releaseAll.immediate(ids, owner, 0),
    markInDoubt: async (ids, owner, holdMs) => void doubtAll.immediate(ids, owner, holdMs),
  }
}

/**
 * Schema version 1 was `(id, delivered, until)` with no owner; its unfinished claims become ids
 * in doubt (they were being forwarded when it stopped), its delivered ids are kept.
 */
function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version >= 2) return
  db.exec(`CREATE TABLE IF NOT EXISTS caliper_ledger (
    id TEXT PRIMARY KEY, delivered INTEGER NOT NULL, until INTEGER NOT NULL)`)
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('caliper_ledger') as Array<{ name: string }>
  if (!columns.some((c) => c.name === 'owner')) {
    db.exec(`ALTER TABLE caliper_ledger ADD COLUMN owner TEXT;
      ALTER TABLE caliper_ledger ADD COLUMN purge_at INTEGER NOT NULL DEFAULT 0;
      UPDATE caliper_ledger SET purge_at = until;`)
  }
  db.exec('CREATE INDEX IF NOT EXISTS caliper_ledger_purge_at ON caliper_ledger (purge_at); PRAGMA user_version = 2')
}
