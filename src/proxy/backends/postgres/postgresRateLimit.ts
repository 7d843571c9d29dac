import type { RateLimitStore } from '../../store/rateLimitStore.js'
import type { PostgresQueryable } from './postgresQueryable.js'
import { postgresQuery } from './postgresQuery.js'

const SWEEP_EVERY = 256
const SWEEP_BATCH = 1000

/**
 * The rate limits in PostgreSQL, in `<table>_rate` beside the ledger's: per student the two
 * allowances' GCRA times (`takeAllowance`, store/allowance.ts, computed here in SQL). One
 * statement per request: the upsert takes the cost only where the row (locked, latest version)
 * still has it, and the same statement reads how long to wait when it did not. Time is the
 * database's, so instances with skewed clocks agree. A round trip of its own, beside the
 * ledger's.
 */
export function createPostgresRateLimit(pool: PostgresQueryable, table: string): RateLimitStore {
  const rate = `${table}_rate`
  const query = postgresQuery(
    pool,
    `CREATE TABLE IF NOT EXISTS ${rate} (student text PRIMARY KEY, requests float8 NOT NULL, events float8 NOT NULL)`,
  )
  const now = `(extract(epoch FROM statement_timestamp()) * 1000)::float8`
  // $2, $3: the cost; $4, $5: per minute. `from`: an allowance's time, or now when it is full.
  const step = (cost: string, per: string) => `${cost} * 60000.0 / ${per}`
  const wait = (column: string, cost: string, per: string) =>
    `greatest(${column}, ${now}) + least(${cost}, ${per}) * 60000.0 / ${per} - 60000 - ${now}`
  let takes = 0

  return {
    async takeAllowance(student, cost, perMinute) {
      if (++takes % SWEEP_EVERY === 0) {
        void query(`DELETE FROM ${rate} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${rate}
          WHERE greatest(requests, events) < ${now} LIMIT ${SWEEP_BATCH}))`, []).catch(() => {})
      }
      const [row] = await query(
        `WITH taken AS (
          INSERT INTO ${rate} AS r (student, requests, events)
          VALUES ($1, ${now} + ${step('$2', '$4')}, ${now} + ${step('$3', '$5')})
          ON CONFLICT (student) DO UPDATE
          SET requests = greatest(r.requests, ${now}) + ${step('$2', '$4')},
            events = greatest(r.events, ${now}) + ${step('$3', '$5')}
          WHERE ${wait('r.requests', '$2', '$4')} <= 1e-6 AND ${wait('r.events', '$3', '$5')} <= 1e-6
          RETURNING 1)
        SELECT (SELECT count(*) FROM taken)::int AS taken,
          (SELECT greatest(${wait('requests', '$2', '$4')}, ${wait('events', '$3', '$5')}) FROM ${rate} WHERE student = $1) AS wait`,
        [student, cost.requests, cost.events, perMinute.requests, perMinute.events],
      )
      return row!.taken === 1 ? undefined : Math.max(1, Math.ceil(Number(row!.wait)))
    },
  }
}
