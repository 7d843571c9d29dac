import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { PostgresQueryable } from './postgresQueryable.js'
import { postgresQuery } from './postgresQuery.js'
import { createPostgresRateLimit } from './postgresRateLimit.js'
import { createPostgresTimeBudget } from './postgresTimeBudget.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'
import { SWEEP_BATCH, SWEEP_EVERY } from '../../store/sweepSettings.js'

/** A `pg` Pool, or anything with the same `query` (so the dependency stays optional). */
export interface PostgresLedgerOptions extends LedgerOptions {
  /**
   * Table name (created if missing), optionally schema-qualified, at most 40 characters. Default
   * `caliper_ledger`. The time budget's tables are named after it: `<table>_credit` and
   * `<table>_credit_version`; the rate limits' `<table>_rate`.
   */
  table?: string
  /**
   * A clock to use instead of the database's, for leases, holds, retention and the time budget
   * (tests, `ledgerConformance`). Leave it unset in production: with the database's clock,
   * instances whose clocks are skewed still agree when a lease ends.
   */
  now?: () => number
}

/**
 * A ledger in PostgreSQL, for many proxy instances and serverless route handlers. Each claim is
 * one atomic statement (`INSERT … ON CONFLICT … DO UPDATE … WHERE expired … RETURNING`), ids are
 * locked in sorted order so overlapping claims cannot deadlock, and time is the database's, so
 * instances with skewed clocks agree. Expired rows are swept in batches every few hundred claims.
 * It is also the students' time budget (see `createPostgresTimeBudget`) and rate limits
 * (`createPostgresRateLimit`, in `<table>_rate`), shared by every instance.
 *
 * @example
 * import pg from 'pg'
 * const ledger = createPostgresLedger(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
 */
export function createPostgresLedger(pool: PostgresQueryable, options: PostgresLedgerOptions = {}): CaliperLedger & TimeBudget & RateLimitStore {
  const table = options.table ?? 'caliper_ledger'
  // At most 40 characters for the name itself: `<table>_credit_version` must stay within
  // PostgreSQL's 63 (longer names are cut short, and could then collide).
  if (!/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(table)) {
    throw new TypeError(`createPostgresLedger: table: "${table}" is not a plain (schema.)name of at most 40 characters`)
  }
  const ttl = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS
  const index = `${table.split('.').pop()}_purge_at`
  // Every statement takes the injected time as its last parameter, or null for the database's.
  const clock = () => options.now?.() ?? null
  const at = (n: number) => `coalesce($${n}::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)`
  // `owner` is NULL while in doubt; `until` ends the lease, hold or retention; `purge_at` is
  // when the row may go (a claim or doubt stays `ttl` past its end, to be doubted if resent).
  const query = postgresQuery(
    pool,
    `CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, delivered boolean NOT NULL,
      owner text, until bigint NOT NULL, purge_at bigint NOT NULL);
      CREATE INDEX IF NOT EXISTS ${index} ON ${table} (purge_at)`,
  )
  let claims = 0

  const sorted = (ids: string[]) => [...new Set(ids)].sort()
  // Owner transitions lock their rows in id order, as claims do, so the two cannot deadlock.
  // A claim past its keeping (`purge_at`) is forgotten, even before the sweep deletes its row.
  const mine = (now: string) => `id IN (SELECT id FROM ${table} WHERE id = ANY($1::text[]) AND owner = $2 AND NOT delivered
    AND purge_at > ${now} ORDER BY id FOR UPDATE)`

  return {
    ...createPostgresRateLimit(pool, table),
    ...createPostgresTimeBudget(pool, table, { ttlMs: budgetTtl(ttl), ...(options.now && { now: options.now }) }),
    async claim(ids, owner, leaseMs) {
      if (++claims % SWEEP_EVERY === 0) {
        void query(`DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table}
          WHERE purge_at <= ${at(1)} LIMIT ${SWEEP_BATCH}))`, [clock()]).catch(() => {})
      }
      // Ids held or delivered right now are skipped without touching their rows (no lock
      // waits behind busy ids); the rest are inserted, or taken over once their lease, hold or
      // retention has ended, decided atomically by ON CONFLICT. A takeover is doubtful when the
      // row it replaces was a claim or doubt still kept (`prior`, the statement's snapshot); an
      // expired delivery or a forgotten claim is fresh, as the claim model says.
      const rows = await query(
        `WITH t AS (SELECT ${at(5)} AS now),
        live AS (SELECT l.id, l.delivered FROM ${table} l, t WHERE l.id = ANY($1::text[]) AND l.until > t.now),
        prior AS (SELECT l.id FROM ${table} l, t WHERE l.id = ANY($1::text[]) AND NOT l.delivered AND l.purge_at > t.now),
        taken AS (
          INSERT INTO ${table} AS l (id, delivered, owner, until, purge_at)
          SELECT id, false, $2, t.now + $3, t.now + $3 + $4 FROM unnest($1::text[]) AS id, t
          WHERE id NOT IN (SELECT id FROM live) ORDER BY id
          ON CONFLICT (id) DO UPDATE SET delivered = false, owner = excluded.owner,
            until = excluded.until, purge_at = excluded.purge_at
          WHERE l.until <= excluded.until - $3
          RETURNING l.id, l.id IN (SELECT id FROM prior) AS again)
        SELECT id, again, false AS delivered FROM taken
        UNION ALL
        SELECT id, false, true FROM live WHERE delivered`,
        [sorted(ids), owner, leaseMs, ttl, clock()],
      )
      const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
      for (const row of rows) {
        const id = row.id as string
        if (row.delivered) result.delivered.push(id)
        else result.claimed.push(id)
        if (row.again) result.doubtful.push(id)
      }
      return result
    },
    async renew(ids, owner, leaseMs) {
      const rows = await query(
        `UPDATE ${table} SET until = ${at(5)} + $3, purge_at = ${at(5)} + $3 + $4 WHERE ${mine(at(5))} RETURNING id`,
        [sorted(ids), owner, leaseMs, ttl, clock()],
      )
      return rows.map((row) => row.id as string)
    },
    async commit(ids, owner) {
      await query(
        `UPDATE ${table} SET delivered = true, owner = NULL, until = ${at(4)} + $3, purge_at = ${at(4)} + $3
        WHERE ${mine(at(4))}`,
        [sorted(ids), owner, ttl, clock()],
      )
    },
    async release(ids, owner) {
      await query(`DELETE FROM ${table} WHERE ${mine(at(3))}`, [sorted(ids), owner, clock()])
    },
    async markInDoubt(ids, owner, holdMs) {
      await query(
        `UPDATE ${table} SET owner = NULL, until = ${at(5)} + $3, purge_at = ${at(5)} + $3 + $4 WHERE ${mine(at(5))}`,
        [sorted(ids), owner, holdMs, ttl, clock()],
      )
    },
  }
}
