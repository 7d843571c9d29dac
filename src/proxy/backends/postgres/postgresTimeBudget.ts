import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { PostgresQueryable } from './postgresQueryable.js'
import { postgresQuery } from './postgresQuery.js'
import type { SpansAt, VersionedSpanStore } from '../../store/spanStore.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'
import { SWEEP_BATCH, SWEEP_EVERY } from '../../store/sweepSettings.js'

/**
 * The time budget's spans in PostgreSQL, in two tables beside the ledger's: `<table>_credit` (the
 * spans each event's credited time occupies) and `<table>_credit_version` (one counter per
 * student). `readSpans` reads a student's spans and counter in one statement; `createTimeBudget`
 * places the claims (`placeCredit`, the same code as every other ledger); `writeSpans` writes in
 * one statement that bumps the counter only if it is still the one read (`ON CONFLICT … DO UPDATE
 * … WHERE` sees the latest committed row) and changes the spans only if it did. Two instances placing the
 * same student's time at once: one write wins, the other reads again. Needs only `query` (no
 * transaction, no pinned connection), so a serverless driver works too.
 */
export function createPostgresSpanStore(pool: PostgresQueryable, table: string, options: TimeBudgetOptions): VersionedSpanStore {
  const now = options.now ?? Date.now
  const credit = `${table}_credit`
  const version = `${table}_credit_version`
  const bare = credit.split('.').pop()
  const query = postgresQuery(
    pool,
    `CREATE TABLE IF NOT EXISTS ${credit} (student text NOT NULL, event_id text NOT NULL,
      start bigint NOT NULL, "end" bigint NOT NULL);
    CREATE INDEX IF NOT EXISTS ${bare}_student ON ${credit} (student, "end");
    CREATE INDEX IF NOT EXISTS ${bare}_end ON ${credit} ("end");
    CREATE TABLE IF NOT EXISTS ${version} (student text PRIMARY KEY, version bigint NOT NULL)`,
  )
  let reads = 0

  const read = async (student: string, from: number, to: number): Promise<SpansAt> => {
    const [row] = await query(
      `SELECT coalesce((SELECT version FROM ${version} WHERE student = $1), 0)::text AS version,
        coalesce((SELECT json_agg(json_build_object('id', event_id, 'start', start, 'end', "end"))
          FROM ${credit} WHERE student = $1 AND "end" > $2 AND start < $3), '[]') AS spans`,
      [student, from, to],
    )
    return { version: row!.version as string, spans: row!.spans as PlacedSpan[] }
  }

  /** Writes `placed` in place of `ids`' spans if the student's counter is still `seen`. */
  const write = async (student: string, seen: string, ids: string[], placed: PlacedSpan[]) => {
    const rows = await query(
      `WITH bumped AS (
        INSERT INTO ${version} AS v (student, version) VALUES ($1, $2::bigint + 1)
        ON CONFLICT (student) DO UPDATE SET version = v.version + 1 WHERE v.version = $2::bigint
        RETURNING 1),
      gone AS (DELETE FROM ${credit} WHERE student = $1 AND event_id = ANY($3::text[]) AND EXISTS (SELECT 1 FROM bumped)),
      added AS (INSERT INTO ${credit} (student, event_id, start, "end")
        SELECT $1, s.id, s.start, s."end" FROM json_to_recordset($4::json) AS s(id text, start bigint, "end" bigint)
        WHERE EXISTS (SELECT 1 FROM bumped))
      SELECT count(*)::int AS won FROM bumped`,
      [student, seen, ids, JSON.stringify(placed)],
    )
    return rows[0]!.won === 1
  }

  return {
    async readSpans(student, from, to) {
      if (++reads % SWEEP_EVERY === 0) {
        void query(`DELETE FROM ${credit} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${credit}
          WHERE "end" <= $1 LIMIT ${SWEEP_BATCH}))`, [now() - options.ttlMs]).catch(() => {})
      }
      return read(student, from, to)
    },
    writeSpans: write,
    async releaseSpans(student, eventIds) {
      // The counter moves too: a reservation that read these spans places again, with them free.
      await query(
        `WITH bumped AS (UPDATE ${version} SET version = version + 1 WHERE student = $1)
        DELETE FROM ${credit} WHERE student = $1 AND event_id = ANY($2::text[])`,
        [student, eventIds],
      )
    },
  }
}

/** The time budget in PostgreSQL: its span store under `createTimeBudget`. */
export const createPostgresTimeBudget = (pool: PostgresQueryable, table: string, options: TimeBudgetOptions): TimeBudget =>
  createTimeBudget(createPostgresSpanStore(pool, table, options))
