import type { RateLimitStore } from '../../store/rateLimitStore.js'
import type { PostgresQuery } from './postgresQuery.js'
import { SWEEP_BATCH, SWEEP_EVERY } from '../../store/sweepSettings.js'


const NOW = `(extract(epoch FROM statement_timestamp()) * 1000)::float8`

/** Names (parameters or variables) of one take: the student, the cost and the allowances per minute. */
export interface AllowanceTerms {
  student: string
  requests: string
  events: string
  requestsPerMinute: string
  eventsPerMinute: string
}

/**
 * One statement that takes a request's cost from the student's two allowances (GCRA times,
 * `takeAllowance` in store/allowance.ts, computed in SQL), all of it or nothing, and answers
 * `taken` (1 or 0) and `wait` (ms before asking again, when not taken). The upsert takes the cost
 * only where the row (locked, latest version) still has it; the read of `wait` sees the row as
 * it was, which is the row that refused. Time is the database's, so skewed instances agree.
 */
export function takeAllowanceSql(rate: string, t: AllowanceTerms): string {
  const step = (cost: string, per: string) => `${cost} * 60000.0 / ${per}`
  const wait = (column: string, cost: string, per: string) =>
    `greatest(${column}, ${NOW}) + least(${cost}, ${per}) * 60000.0 / ${per} - 60000 - ${NOW}`
  const [req, ev] = [[t.requests, t.requestsPerMinute], [t.events, t.eventsPerMinute]] as const
  return `WITH taken AS (
      INSERT INTO ${rate} AS r (student, requests, events)
      VALUES (${t.student}, ${NOW} + ${step(...req)}, ${NOW} + ${step(...ev)})
      ON CONFLICT (student) DO UPDATE
      SET requests = greatest(r.requests, ${NOW}) + ${step(...req)},
        events = greatest(r.events, ${NOW}) + ${step(...ev)}
      WHERE ${wait('r.requests', ...req)} <= 1e-6 AND ${wait('r.events', ...ev)} <= 1e-6
      RETURNING 1)
    SELECT (SELECT count(*) FROM taken)::int AS taken,
      (SELECT greatest(${wait('requests', ...req)}, ${wait('events', ...ev)}) FROM ${rate} WHERE student = ${t.student}) AS wait`
}

/**
 * The rate limits in PostgreSQL, in `<table>_rate` beside the ledger's (created by the ledger's
 * migrations). A take on its own is one statement; the ledger also folds it into its claim
 * (`claimWithTime`'s `rate`), so a request that claims pays no round trip for it.
 */
export function createPostgresRateLimit(query: PostgresQuery, rate: string): RateLimitStore {
  const take = takeAllowanceSql(rate, { student: '$1', requests: '$2', events: '$3', requestsPerMinute: '$4', eventsPerMinute: '$5' })
  let takes = 0

  return {
    async takeAllowance(student, cost, perMinute) {
      if (++takes % SWEEP_EVERY === 0) {
        void query(`DELETE FROM ${rate} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${rate}
          WHERE greatest(requests, events) < ${NOW} LIMIT ${SWEEP_BATCH}))`, []).catch(() => {})
      }
      const [row] = await query(take, [student, cost.requests, cost.events, perMinute.requests, perMinute.events])
      return row!.taken === 1 ? undefined : Math.max(1, Math.ceil(Number(row!.wait)))
    },
  }
}
