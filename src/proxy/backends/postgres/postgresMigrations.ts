import type { PostgresQueryable } from './postgresQueryable.js'
import { SWEEP_BATCH } from '../../store/sweepSettings.js'
import { takeAllowanceSql } from './postgresRateLimit.js'
import { DATABASE_NOW, type PostgresNames } from './postgresStatements.js'

/**
 * The schema, as numbered steps (as pg-boss keeps its migrations): a database at version n runs
 * steps n+1 onwards, each once. Version 1 is the schema ledgers created before it was numbered,
 * so their tables are kept as they are. Steps never change once released; add one instead.
 */
const steps: Array<(names: PostgresNames) => string> = [
  // 1. The ledger's ids, and the time budget's spans with one counter per student.
  ({ table, credit, version }) => {
    const bare = (name: string) => name.split('.').pop()
    // `owner` is NULL while in doubt; `until` ends the lease, hold or retention; `purge_at` is
    // when the row may go (a claim or doubt stays the retention past its end, to be doubted if resent).
    return `CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, delivered boolean NOT NULL,
        owner text, until bigint NOT NULL, purge_at bigint NOT NULL);
      CREATE INDEX IF NOT EXISTS ${bare(table)}_purge_at ON ${table} (purge_at);
      CREATE TABLE IF NOT EXISTS ${credit} (student text NOT NULL, event_id text NOT NULL,
        start bigint NOT NULL, "end" bigint NOT NULL);
      CREATE INDEX IF NOT EXISTS ${bare(credit)}_student ON ${credit} (student, "end");
      CREATE INDEX IF NOT EXISTS ${bare(credit)}_end ON ${credit} ("end");
      CREATE TABLE IF NOT EXISTS ${version} (student text PRIMARY KEY, version bigint NOT NULL)`
  },
  // 2. Claim and reserve in one call, so a request costs two round trips (this, then commit).
  //    The placement is `placeCredit` (store/creditedTime.ts) step for step; the conformance
  //    suite holds the two to the same answers.
  ({ table, credit, version, claimFunction }) => `CREATE OR REPLACE FUNCTION ${claimFunction}(p_ids text[],
      p_owner text, p_lease bigint, p_ttl bigint, p_claims json, p_student text, p_sweep boolean,
      p_spans_before bigint, p_now bigint) RETURNS json LANGUAGE plpgsql AS $fn$
    DECLARE
      t bigint := coalesce(p_now, ${DATABASE_NOW});
      v_claimed text[]; v_doubtful text[]; v_delivered text[]; v_reserve text[];
      w_from bigint; w_to bigint;
      b_start bigint[]; b_end bigint[]; m_start bigint[]; m_end bigint[];
      p_id text[] := '{}'; p_start bigint[] := '{}'; p_end bigint[] := '{}';
      granted jsonb := '{}';
      c record; remaining bigint; pos bigint; gap_end bigint; took bigint; s_start bigint; s_end bigint;
      i int; n int;
    BEGIN
      IF p_sweep THEN
        DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE purge_at <= t LIMIT ${SWEEP_BATCH}));
      END IF;
      IF p_spans_before IS NOT NULL THEN
        DELETE FROM ${credit} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${credit} WHERE "end" <= p_spans_before LIMIT ${SWEEP_BATCH}));
      END IF;
      -- Ids held or delivered right now are skipped without touching their rows (no lock
      -- waits behind busy ids); the rest are inserted, or taken over once their lease, hold or
      -- retention has ended, decided atomically by ON CONFLICT. A takeover is doubtful when the
      -- row it replaces was a claim or doubt still kept (prior, the statement's snapshot); an
      -- expired delivery or a forgotten claim is fresh, as the claim model says. Rows are locked
      -- in id order, so overlapping claims cannot deadlock.
      WITH live AS (SELECT l.id, l.delivered FROM ${table} l WHERE l.id = ANY(p_ids) AND l.until > t),
      prior AS (SELECT l.id FROM ${table} l WHERE l.id = ANY(p_ids) AND NOT l.delivered AND l.purge_at > t),
      taken AS (
        INSERT INTO ${table} AS l (id, delivered, owner, until, purge_at)
        SELECT k, false, p_owner, t + p_lease, t + p_lease + p_ttl FROM unnest(p_ids) AS k
        WHERE k NOT IN (SELECT live.id FROM live) ORDER BY k
        ON CONFLICT (id) DO UPDATE SET delivered = false, owner = excluded.owner,
          until = excluded.until, purge_at = excluded.purge_at
        WHERE l.until <= excluded.until - p_lease
        RETURNING l.id, l.id IN (SELECT prior.id FROM prior) AS again)
      SELECT coalesce((SELECT array_agg(taken.id ORDER BY taken.id) FROM taken), '{}'),
        coalesce((SELECT array_agg(taken.id ORDER BY taken.id) FROM taken WHERE taken.again), '{}'),
        coalesce((SELECT array_agg(live.id ORDER BY live.id) FROM live WHERE live.delivered), '{}')
      INTO v_claimed, v_doubtful, v_delivered;

      -- Time is reserved for the events claimed now whose earlier attempt is not in doubt (a
      -- doubtful one is looked up first, and reserved apart if it must go again).
      SELECT min((e.claim->>'start')::bigint), max((e.claim->>'end')::bigint), array_agg(e.claim->>'id')
      INTO w_from, w_to, v_reserve
      FROM json_array_elements(coalesce(p_claims, '[]')) AS e(claim)
      WHERE e.claim->>'key' = ANY(v_claimed) AND NOT e.claim->>'key' = ANY(v_doubtful);
      IF v_reserve IS NOT NULL THEN
        -- Locks the student's counter row (one reservation per student at a time) and moves it,
        -- so a reservation elsewhere that read the spans before this one places again.
        INSERT INTO ${version} AS v (student, version) VALUES (p_student, 1)
        ON CONFLICT (student) DO UPDATE SET version = v.version + 1;
        SELECT coalesce(array_agg(s.start ORDER BY s.start, s."end"), '{}'), coalesce(array_agg(s."end" ORDER BY s.start, s."end"), '{}')
        INTO b_start, b_end FROM ${credit} s
        WHERE s.student = p_student AND s."end" > w_from AND s.start < w_to AND NOT s.event_id = ANY(v_reserve);
        FOR c IN SELECT e.claim->>'id' AS id, (e.claim->>'start')::bigint AS c_start,
            (e.claim->>'end')::bigint AS c_end, (e.claim->>'ms')::bigint AS ms
          FROM json_array_elements(p_claims) WITH ORDINALITY AS e(claim, ord)
          WHERE e.claim->>'id' = ANY(v_reserve) ORDER BY e.ord
        LOOP
          remaining := c.ms; pos := c.c_start; i := 1; n := coalesce(array_length(b_start, 1), 0);
          m_start := '{}'; m_end := '{}';
          -- The claim's own end closes the last gap.
          WHILE i <= n + 1 AND remaining > 0 AND pos < c.c_end LOOP
            IF i <= n THEN s_start := b_start[i]; s_end := b_end[i]; ELSE s_start := c.c_end; s_end := c.c_end; END IF;
            gap_end := least(s_start, c.c_end);
            IF gap_end > pos THEN
              took := least(gap_end - pos, remaining);
              m_start := m_start || pos; m_end := m_end || (pos + took);
              remaining := remaining - took;
            END IF;
            pos := greatest(pos, s_end);
            i := i + 1;
          END LOOP;
          granted := granted || jsonb_build_object(c.id, c.ms - remaining);
          IF array_length(m_start, 1) > 0 THEN
            p_id := p_id || array_fill(c.id, ARRAY[array_length(m_start, 1)]);
            p_start := p_start || m_start; p_end := p_end || m_end;
            SELECT array_agg(u.a ORDER BY u.a, u.b), array_agg(u.b ORDER BY u.a, u.b) INTO b_start, b_end
            FROM unnest(b_start || m_start, b_end || m_end) AS u(a, b);
          END IF;
        END LOOP;
        DELETE FROM ${credit} WHERE student = p_student AND event_id = ANY(v_reserve);
        INSERT INTO ${credit} (student, event_id, start, "end")
        SELECT p_student, u.i, u.s, u.e FROM unnest(p_id, p_start, p_end) AS u(i, s, e);
      END IF;
      RETURN json_build_object('claimed', v_claimed, 'delivered', v_delivered, 'doubtful', v_doubtful, 'granted', granted);
    END
    $fn$`,
  // 3. The rate limits, shared by every instance: per student the two allowances' GCRA times;
  //    and the claim with the rate limit's take in front, so a request that claims pays no
  //    round trip for its rate limit (nothing is claimed when the take is refused).
  ({ rate, claimFunction, ratedClaimFunction }) => `CREATE TABLE IF NOT EXISTS ${rate} (student text PRIMARY KEY,
      requests float8 NOT NULL, events float8 NOT NULL);
    CREATE OR REPLACE FUNCTION ${ratedClaimFunction}(p_requests float8, p_events float8, p_requests_per float8,
      p_events_per float8, p_ids text[], p_owner text, p_lease bigint, p_ttl bigint, p_claims json,
      p_student text, p_sweep boolean, p_spans_before bigint, p_now bigint) RETURNS json LANGUAGE plpgsql AS $fn$
    DECLARE v_taken int; v_wait float8;
    BEGIN
      IF p_sweep THEN
        DELETE FROM ${rate} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${rate}
          WHERE greatest(requests, events) < extract(epoch FROM statement_timestamp()) * 1000 LIMIT ${SWEEP_BATCH}));
      END IF;
      ${takeAllowanceSql(rate, { student: 'p_student', requests: 'p_requests', events: 'p_events', requestsPerMinute: 'p_requests_per', eventsPerMinute: 'p_events_per' })}
      INTO v_taken, v_wait;
      IF v_taken = 0 THEN
        RETURN json_build_object('claimed', '[]'::json, 'delivered', '[]'::json, 'doubtful', '[]'::json,
          'granted', '{}'::json, 'wait', greatest(1, ceil(v_wait)));
      END IF;
      RETURN (${claimFunction}(p_ids, p_owner, p_lease, p_ttl, p_claims, p_student, p_sweep, p_spans_before, p_now)::jsonb
        || jsonb_build_object('rated', true))::json;
    END
    $fn$`,
]

export const SCHEMA_VERSION = steps.length

/** The version table's name: one row, the schema version these tables are at. */
const versionTable = (names: PostgresNames) => `${names.table}_schema`

/**
 * Brings the ledger's tables to `SCHEMA_VERSION`: one read when they are there already. Steps
 * run in one transaction under an advisory lock, each only if the version read under the lock
 * is below it, so instances starting together migrate once, and an older instance never undoes
 * a newer one's steps.
 */
export async function migratePostgres(pool: PostgresQueryable, names: PostgresNames): Promise<void> {
  const table = versionTable(names)
  try {
    const { rows } = await pool.query(`SELECT max(version) AS version FROM ${table}`)
    if (Number((rows[0] as { version: number | null }).version ?? 0) >= SCHEMA_VERSION) return
  } catch (error) {
    if ((error as { code?: string }).code !== '42P01') throw error // not yet created: migrate
  }
  const guarded = steps.map(
    (step, i) => `DO $step$ BEGIN
      IF (SELECT coalesce(max(version), 0) FROM ${table}) < ${i + 1} THEN EXECUTE $sql$${step(names)}$sql$; END IF;
    END $step$;`,
  )
  // Several statements in one query string are one transaction; the lock is held to its end.
  await pool.query(`SELECT pg_advisory_xact_lock(hashtext('timeback-tracker ${names.table}'));
    CREATE TABLE IF NOT EXISTS ${table} (version int NOT NULL);
    ${guarded.join('\n')}
    DELETE FROM ${table} WHERE version < ${SCHEMA_VERSION};
    INSERT INTO ${table} (version) SELECT ${SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM ${table})`)
}
