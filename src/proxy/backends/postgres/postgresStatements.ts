// Every SQL statement the PostgreSQL ledger and its time budget run, named, in one place (as
// pg-boss keeps its `plans.ts`). The schema they need is in `postgresMigrations.ts`.
import { SWEEP_BATCH } from '../../store/sweepSettings.js'

/** The objects one ledger uses, all named after its table. */
export interface PostgresNames {
  table: string
  credit: string
  version: string
  /** Claim and reserve in one call (see the migration that creates it). */
  claimFunction: string
  /** The rate limits' GCRA times per student (`createPostgresRateLimit`). */
  rate: string
  /** The claim, with the rate limit's take in front (see the migration that creates it). */
  ratedClaimFunction: string
}

export const postgresNames = (table: string): PostgresNames => ({
  table,
  credit: `${table}_credit`,
  version: `${table}_credit_version`,
  claimFunction: `${table}_claim`,
  rate: `${table}_rate`,
  ratedClaimFunction: `${table}_claim_rated`,
})

/** The database's clock in epoch ms: instances with skewed clocks agree on leases. */
export const DATABASE_NOW = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

/** Parameter `n` is an injected time (tests, `ledgerConformance`), or null for the database's. */
const at = (n: number) => `coalesce($${n}::bigint, ${DATABASE_NOW})`

export function postgresStatements({ table, credit, version, claimFunction, ratedClaimFunction }: PostgresNames) {
  // Owner transitions lock their rows in id order, as claims do, so the two cannot deadlock.
  // A claim past its keeping (`purge_at`) is forgotten, even before the sweep deletes its row.
  const mine = (now: string) => `id IN (SELECT id FROM ${table} WHERE id = ANY($1::text[]) AND owner = $2 AND NOT delivered
    AND purge_at > ${now} ORDER BY id FOR UPDATE)`
  return {
    /**
     * $1 ids (sorted), $2 owner, $3 lease ms, $4 retention ms, $5 claims (JSON) or NULL, $6
     * student, $7 sweep the ledger, $8 spans ending before this go (or NULL), $9 the time (or NULL).
     */
    claim: `SELECT ${claimFunction}($1::text[], $2, $3, $4, $5::json, $6, $7, $8, $9) AS answer`,
    /** The claim's parameters, then $10, $11 the request's cost and $12, $13 the allowances per minute. */
    ratedClaim: `SELECT ${ratedClaimFunction}($10, $11, $12, $13, $1::text[], $2, $3, $4, $5::json, $6, $7, $8, $9) AS answer`,
    /** $1 ids, $2 owner, $3 lease ms, $4 retention ms, $5 the time. */
    renew: `UPDATE ${table} SET until = ${at(5)} + $3, purge_at = ${at(5)} + $3 + $4 WHERE ${mine(at(5))} RETURNING id`,
    /** $1 ids, $2 owner, $3 retention ms, $4 the time. */
    commit: `UPDATE ${table} SET delivered = true, owner = NULL, until = ${at(4)} + $3,
      purge_at = ${at(4)} + $3 WHERE ${mine(at(4))}`,
    /** $1 ids, $2 owner, $3 the time. */
    release: `DELETE FROM ${table} WHERE ${mine(at(3))}`,
    /** $1 ids, $2 owner, $3 hold ms, $4 retention ms, $5 the time. */
    markInDoubt: `UPDATE ${table} SET owner = NULL, until = ${at(5)} + $3, purge_at = ${at(5)} + $3 + $4 WHERE ${mine(at(5))}`,
    /** $1 student, $2 window start, $3 window end: the counter and the spans in the window. */
    readSpans: `SELECT coalesce((SELECT version FROM ${version} WHERE student = $1), 0)::text AS version,
      coalesce((SELECT json_agg(json_build_object('id', event_id, 'start', start, 'end', "end"))
        FROM ${credit} WHERE student = $1 AND "end" > $2 AND start < $3), '[]') AS spans`,
    /** $1 student, $2 counter read, $3 event ids, $4 placed spans (JSON): written only if the counter is still $2. */
    writeSpans: `WITH bumped AS (
        INSERT INTO ${version} AS v (student, version) VALUES ($1, $2::bigint + 1)
        ON CONFLICT (student) DO UPDATE SET version = v.version + 1 WHERE v.version = $2::bigint
        RETURNING 1),
      gone AS (DELETE FROM ${credit} WHERE student = $1 AND event_id = ANY($3::text[]) AND EXISTS (SELECT 1 FROM bumped)),
      added AS (INSERT INTO ${credit} (student, event_id, start, "end")
        SELECT $1, s.id, s.start, s."end" FROM json_to_recordset($4::json) AS s(id text, start bigint, "end" bigint)
        WHERE EXISTS (SELECT 1 FROM bumped))
      SELECT count(*)::int AS won FROM bumped`,
    /** $1 student, $2 event ids. The counter moves too: a reservation that read these spans places again. */
    releaseSpans: `WITH bumped AS (UPDATE ${version} SET version = version + 1 WHERE student = $1)
      DELETE FROM ${credit} WHERE student = $1 AND event_id = ANY($2::text[])`,
    /** $1 spans ending before this go. */
    sweepSpans: `DELETE FROM ${credit} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${credit}
      WHERE "end" <= $1 LIMIT ${SWEEP_BATCH}))`,
  }
}

export type PostgresStatements = ReturnType<typeof postgresStatements>
