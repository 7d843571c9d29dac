import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { ClaimsWithTime, TimedClaim } from '../../store/claimWithTime.js'
import type { PostgresQueryable } from './postgresQueryable.js'
import { postgresQuery } from './postgresQuery.js'
import { migratePostgres } from './postgresMigrations.js'
import { postgresNames, postgresStatements } from './postgresStatements.js'
import { createPostgresTimeBudget } from './postgresTimeBudget.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'

/** A `pg` Pool, or anything with the same `query` (so the dependency stays optional). */
export interface PostgresLedgerOptions extends LedgerOptions {
  /**
   * Table name (created if missing), optionally schema-qualified, at most 40 characters. Default
   * `caliper_ledger`. The other objects are named after it: `<table>_credit`,
   * `<table>_credit_version`, `<table>_schema` (the schema version) and `<table>_claim` (a function).
   */
  table?: string
  /** The clock that ages the time budget's spans out (tests). Claims use the database's. */
  now?: () => number
}

const SWEEP_EVERY = 256

/**
 * A ledger in PostgreSQL, for many proxy instances and serverless route handlers. A request
 * costs two round trips: one function call claims its ids and reserves their time (one
 * transaction), and one statement commits them once the platform has them. Ids are locked in
 * sorted order so overlapping claims cannot deadlock, and time is the database's, so instances
 * with skewed clocks agree. Expired rows are swept in batches every few hundred claims, inside
 * the claim. The schema is versioned and migrated on first use (`postgresMigrations.ts`).
 *
 * @example
 * import pg from 'pg'
 * const ledger = createPostgresLedger(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
 */
export function createPostgresLedger(pool: PostgresQueryable, options: PostgresLedgerOptions = {}): CaliperLedger & TimeBudget & ClaimsWithTime {
  const table = options.table ?? 'caliper_ledger'
  // At most 40 characters for the name itself: `<table>_credit_version` must stay within
  // PostgreSQL's 63 (longer names are cut short, and could then collide).
  if (!/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(table)) {
    throw new TypeError(`createPostgresLedger: table: "${table}" is not a plain (schema.)name of at most 40 characters`)
  }
  const ttl = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS
  const budgetTtlMs = budgetTtl(ttl)
  const now = options.now ?? Date.now
  const names = postgresNames(table)
  const sql = postgresStatements(names)
  const query = postgresQuery(pool, () => migratePostgres(pool, names))
  let claims = 0

  const sorted = (ids: string[]) => [...new Set(ids)].sort()
  const claimWithTime = async (ids: string[], owner: string, leaseMs: number, student: string | null, credit: unknown[] | null): Promise<TimedClaim> => {
    const sweep = ++claims % SWEEP_EVERY === 0
    const [row] = await query(sql.claim, [
      sorted(ids),
      owner,
      leaseMs,
      ttl,
      credit && JSON.stringify(credit),
      student,
      sweep,
      sweep ? now() - budgetTtlMs : null,
    ])
    return row!.answer as TimedClaim
  }

  return {
    ...createPostgresTimeBudget(query, sql, { ttlMs: budgetTtlMs, now }),
    async claim(ids, owner, leaseMs) {
      const { claimed, delivered, doubtful } = await claimWithTime(ids, owner, leaseMs, null, null)
      return { claimed, delivered, doubtful }
    },
    claimWithTime: (ids, owner, leaseMs, student, credit) => claimWithTime(ids, owner, leaseMs, student, credit),
    async renew(ids, owner, leaseMs) {
      const rows = await query(sql.renew, [sorted(ids), owner, leaseMs, ttl])
      return rows.map((row) => row.id as string)
    },
    async commit(ids, owner) {
      await query(sql.commit, [sorted(ids), owner, ttl])
    },
    async release(ids, owner) {
      await query(sql.release, [sorted(ids), owner])
    },
    async markInDoubt(ids, owner, holdMs) {
      await query(sql.markInDoubt, [sorted(ids), owner, holdMs, ttl])
    },
  }
}
