import { applyClaimOperation, type ClaimOperation, type ClaimState } from '../../store/claimModel.js'
import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { SqliteDatabase } from './sqliteDatabase.js'
import { createSqliteRateLimit } from './sqliteRateLimit.js'
import { createSqliteTimeBudget } from './sqliteTimeBudget.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'
import { SWEEP_BATCH, SWEEP_EVERY } from '../../store/sweepSettings.js'

export interface SqliteLedgerOptions extends LedgerOptions {
  now?: () => number
  /** How long a writer waits for another process's lock before failing. Default 5 s. */
  busyTimeoutMs?: number
}

/**
 * A durable ledger in SQLite (better-sqlite3, an optional peer dependency): survives restarts,
 * and several processes on one machine sharing the file claim atomically (each claim is an
 * IMMEDIATE transaction, so SQLite serialises writers). Expired rows are swept in small batches
 * along an index, every few hundred claims, so no request pays for a large purge. It is also the
 * students' time budget and rate limits (`createSqliteRateLimit`), shared by the processes.
 *
 * @example
 * import Database from 'better-sqlite3'
 * const ledger = createSqliteLedger(new Database('caliper-ledger.db'))
 */
export function createSqliteLedger(db: SqliteDatabase, options: SqliteLedgerOptions = {}): CaliperLedger & TimeBudget & RateLimitStore {
  const settings = { ttlMs: options.ttlMs ?? DEFAULT_LEDGER_TTL_MS }
  const now = options.now ?? Date.now
  db.pragma('journal_mode = WAL')
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  migrate(db, settings.ttlMs)
  // `owner` is NULL while in doubt; `until` ends the lease, hold or retention; `purge_at` is
  // when the row may go (a claim or doubt stays `ttl` past its end, to be doubted if resent).
  const find = db.prepare('SELECT delivered, owner, until, purge_at FROM caliper_ledger WHERE id = ?')
  const put = db.prepare(`INSERT INTO caliper_ledger (id, delivered, owner, until, purge_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET delivered = excluded.delivered, owner = excluded.owner,
    until = excluded.until, purge_at = excluded.purge_at`)
  const remove = db.prepare('DELETE FROM caliper_ledger WHERE id = ?')
  const sweep = db.prepare(`DELETE FROM caliper_ledger WHERE rowid IN
    (SELECT rowid FROM caliper_ledger WHERE purge_at <= ? LIMIT ${SWEEP_BATCH})`)
  let claims = 0

  // Each call is one IMMEDIATE transaction: it reads each id's row, applies the claim model and
  // writes the row back, so all of a request's ids change together and no other writer interleaves.
  const apply = db.transaction((ids: string[], operation: ClaimOperation) => {
    const t = now()
    if (operation.op === 'claim' && ++claims % SWEEP_EVERY === 0) sweep.run(t)
    return [...new Set(ids)].map((id) => {
      const before = stateOf(find.get(id) as LedgerRow | undefined)
      const { state, answer } = applyClaimOperation(before, operation, t, settings)
      if (state !== before) {
        if (state.kind === 'fresh') remove.run(id)
        else put.run(id, ...rowOf(state))
      }
      return { id, answer }
    })
  })
  const run = async (ids: string[], operation: ClaimOperation) => apply.immediate(ids, operation)
  const applied = async (ids: string[], operation: ClaimOperation) =>
    (await run(ids, operation)).filter(({ answer }) => answer.answer === 'applied').map(({ id }) => id)

  return {
    ...createSqliteRateLimit(db, now),
    ...createSqliteTimeBudget(db, { ttlMs: budgetTtl(settings.ttlMs), now }),
    async claim(ids, owner, leaseMs) {
      const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
      for (const { id, answer } of await run(ids, { op: 'claim', owner, leaseMs })) {
        if (answer.answer === 'delivered') result.delivered.push(id)
        if (answer.answer !== 'claimed') continue
        result.claimed.push(id)
        if (answer.doubtful) result.doubtful.push(id)
      }
      return result
    },
    renew: (ids, owner, leaseMs) => applied(ids, { op: 'renew', owner, leaseMs }),
    commit: async (ids, owner) => void (await run(ids, { op: 'commit', owner })),
    release: async (ids, owner) => void (await run(ids, { op: 'release', owner })),
    markInDoubt: async (ids, owner, holdMs) => void (await run(ids, { op: 'markInDoubt', owner, holdMs })),
  }
}

interface LedgerRow {
  delivered: number
  owner: string | null
  until: number
  purge_at: number
}

const stateOf = (row: LedgerRow | undefined): ClaimState => {
  if (!row) return { kind: 'fresh' }
  if (row.delivered) return { kind: 'delivered', until: row.until }
  if (row.owner === null) return { kind: 'inDoubt', until: row.until, purgeAt: row.purge_at }
  return { kind: 'claimed', owner: row.owner, until: row.until, purgeAt: row.purge_at }
}

/** `delivered, owner, until, purge_at` of a kept state (a delivered row goes at its retention's end). */
const rowOf = (state: Exclude<ClaimState, { kind: 'fresh' }>): [number, string | null, number, number] => {
  if (state.kind === 'delivered') return [1, null, state.until, state.until]
  return [0, state.kind === 'claimed' ? state.owner : null, state.until, state.purgeAt]
}

/**
 * Schema version 1 was `(id, delivered, until)` with no owner; its unfinished claims become ids
 * in doubt (they were being forwarded when it stopped), kept `ttlMs` past their end as any doubt
 * is; its delivered ids are kept.
 */
function migrate(db: SqliteDatabase, ttlMs: number): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version >= 2) return
  db.exec(`CREATE TABLE IF NOT EXISTS caliper_ledger (
    id TEXT PRIMARY KEY, delivered INTEGER NOT NULL, until INTEGER NOT NULL)`)
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('caliper_ledger') as Array<{ name: string }>
  if (!columns.some((c) => c.name === 'owner')) {
    db.exec(`ALTER TABLE caliper_ledger ADD COLUMN owner TEXT;
      ALTER TABLE caliper_ledger ADD COLUMN purge_at INTEGER NOT NULL DEFAULT 0;
      UPDATE caliper_ledger SET purge_at = CASE WHEN delivered THEN until ELSE until + ${ttlMs} END;`)
  }
  db.exec('CREATE INDEX IF NOT EXISTS caliper_ledger_purge_at ON caliper_ledger (purge_at); PRAGMA user_version = 2')
}
