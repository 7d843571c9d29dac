import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { ClaimsWithTime, RateTake, TimedClaim } from '../../store/claimWithTime.js'
import type { PostgresQueryable } from './postgresQueryable.js'
import { postgresQuery } from './postgresQuery.js'
import { createPostgresRateLimit } from './postgresRateLimit.js'
import { migratePostgres } from './postgresMigrations.js'
import { postgresNames, postgresStatements } from './postgresStatements.js'
import { createPostgresTimeBudget } from './postgresTimeBudget.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'
import { SWEEP_EVERY } from '../../store/sweepSettings.js'

/** A `pg` Pool, or anything with the same `query` (so the dependency stays optional). */
export interface PostgresLedgerOptions extends LedgerOptions {
  /**
   * Table name (created if missing), optionally schema-qualified, at most 40 characters. Default
   * `caliper_ledger`. The other objects are named after it: `<table>_credit`,
   * `<table>_credit_version`, `<table>_rate` (the rate limits), `<table>_schema` (the schema
   * version) and the functions `<table>_claim` and `<table>_claim_rated`.
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
 * A ledger in PostgreSQL, for many proxy instances and serverless route handlers. A request
 * costs two round trips: one function call claims its ids and reserves their time (one
 * transaction), and one statement commits them once the platform has them. Ids are locked in
 * sorted order so overlapping claims cannot deadlock, and time is the database's, so instances
 * with skewed clocks agree (unless `now` is given). Expired rows are swept in batches every few hundred claims, inside
 * the claim. The schema is versioned and migrated on first use (`postgresMigrations.ts`).
 * It is also the students' time budget and rate limits (`createPostgresRateLimit`), shared by
 * every instance.
 *
 * @example
 * import pg from 'pg'
 * const ledger = createPostgresLedger(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
 */
export function createPostgresLedger(pool: PostgresQueryable, options: PostgresLedgerOptions = {}): CaliperLedger & TimeBudget & ClaimsWithTime & RateLimitStore {
  const table = options.table ?? 'caliper_ledger'
  // At most 40 characters for the name itself: `<table>_credit_version` must stay within
  // PostgreSQL's 63 (longer names are cut short, and could then collide).
  if (!/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(table)) {
    throw new TypeError(`createPostgresLedger: table: "${table}" is not a plain (schema.)name of at most 40 characters`)
  }
  const ttl = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS
  const budgetTtlMs = budgetTtl(ttl)
  const now = options.now ?? Date.now
  // Every statement takes the injected time, or null for the database's.
  const clock = () => options.now?.() ?? null
  const names = postgresNames(table)
  const sql = postgresStatements(names)
  const query = postgresQuery(pool, () => migratePostgres(pool, names))
  let claims = 0

  const sorted = (ids: string[]) => [...new Set(ids)].sort()
  const claimWithTime = async (ids: string[], owner: string, leaseMs: number, student: string | null, credit: unknown[] | null, rate?: RateTake): Promise<TimedClaim> => {
    const sweep = ++claims % SWEEP_EVERY === 0
    const rated = rate ? [rate.cost.requests, rate.cost.events, rate.perMinute.requests, rate.perMinute.events] : []
    const [row] = await query(rate ? sql.ratedClaim : sql.claim, [
      sorted(ids),
      owner,
      leaseMs,
      ttl,
      credit && JSON.stringify(credit),
      student,
      sweep,
      sweep ? now() - budgetTtlMs : null,
      clock(),
      ...rated,
    ])
    return row!.answer as TimedClaim
  }

  return {
    ...createPostgresRateLimit(query, names.rate),
    ...createPostgresTimeBudget(query, sql, { ttlMs: budgetTtlMs, now }),
    async claim(ids, owner, leaseMs) {
      const { claimed, delivered, doubtful } = await claimWithTime(ids, owner, leaseMs, null, null)
      return { claimed, delivered, doubtful }
    },
    claimWithTime: (ids, owner, leaseMs, student, credit, rate) => claimWithTime(ids, owner, leaseMs, student, credit, rate),
    async renew(ids, owner, leaseMs) {
      const rows = await query(sql.renew, [sorted(ids), owner, leaseMs, ttl, clock()])
      return rows.map((row) => row.id as string)
    },
    async commit(ids, owner) {
      await query(sql.commit, [sorted(ids), owner, ttl, clock()])
    },
    async release(ids, owner) {
      await query(sql.release, [sorted(ids), owner, clock()])
    },
    async markInDoubt(ids, owner, holdMs) {
      await query(sql.markInDoubt, [sorted(ids), owner, holdMs, ttl, clock()])
    },
  }
}
