// Every SQL statement the PostgreSQL ledger and its time budget run, named, in one place (as
// pg-boss keeps its `plans.ts`). The schema they need is in `postgresMigrations.ts`.

/** The objects one ledger uses, all named after its table. */
export interface PostgresNames {
  table: string
  credit: string
  version: string
  /** Claim and reserve in one call (see the migration that creates it). */
  claimFunction: string
}

export const postgresNames = (table: string): PostgresNames => ({
  table,
  credit: `${table}_credit`,
  version: `${table}_credit_version`,
  claimFunction: `${table}_claim`,
})

/** The database's clock in epoch ms: instances with skewed clocks agree on leases. */
export const DATABASE_NOW = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

export const SWEEP_BATCH = 1000

export function postgresStatements({ table, credit, version, claimFunction }: PostgresNames) {
  // Owner transitions lock their rows in id order, as claims do, so the two cannot deadlock.
  const mine = `id IN (SELECT id FROM ${table} WHERE id = ANY($1::text[]) AND owner = $2 AND NOT delivered
    ORDER BY id FOR UPDATE)`
  return {
    /** $1 ids (sorted), $2 owner, $3 lease ms, $4 retention ms, $5 claims (JSON) or NULL, $6 student, $7 sweep ledger, $8 spans ending before this go (or NULL). */
    claim: `SELECT ${claimFunction}($1::text[], $2, $3, $4, $5::json, $6, $7, $8) AS answer`,
    /** $1 ids, $2 owner, $3 lease ms, $4 retention ms. */
    renew: `UPDATE ${table} SET until = ${DATABASE_NOW} + $3, purge_at = ${DATABASE_NOW} + $3 + $4 WHERE ${mine} RETURNING id`,
    /** $1 ids, $2 owner, $3 retention ms. */
    commit: `UPDATE ${table} SET delivered = true, owner = NULL, until = ${DATABASE_NOW} + $3,
      purge_at = ${DATABASE_NOW} + $3 WHERE ${mine}`,
    /** $1 ids, $2 owner. */
    release: `DELETE FROM ${table} WHERE ${mine}`,
    /** $1 ids, $2 owner, $3 hold ms, $4 retention ms. */
    markInDoubt: `UPDATE ${table} SET owner = NULL, until = ${DATABASE_NOW} + $3, purge_at = ${DATABASE_NOW} + $3 + $4 WHERE ${mine}`,
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
