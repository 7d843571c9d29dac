import { placeCredit, type CreditClaim, type PlacedSpan } from '../../store/creditedTime.js'
import type { PostgresQuery } from './postgresQuery.js'
import type { PostgresStatements } from './postgresStatements.js'
import { reserveOptimistically, type SpansAt } from '../../store/optimisticReserve.js'
import { overlapping, windowOf, type TimeBudget, type TimeBudgetOptions } from '../../store/timeBudget.js'

const SWEEP_EVERY = 256

/**
 * The time budget in PostgreSQL, in two tables beside the ledger's: `<table>_credit` (the spans
 * each event's credited time occupies) and `<table>_credit_version` (one counter per student).
 * A request's reservation is made with its claim, in one call (the ledger's `claimWithTime`).
 * A reservation on its own reads the student's spans and counter in one statement, places the
 * claims in JavaScript (`placeCredit`), then writes in one statement that bumps the counter only
 * if it is still the one read (`ON CONFLICT … DO UPDATE … WHERE` sees the latest committed row)
 * and changes the spans only if it did. Two instances placing the same student's time at once:
 * one write wins, the other reads again. Needs only `query` (no transaction, no pinned
 * connection), so a serverless driver works too.
 */
export function createPostgresTimeBudget(query: PostgresQuery, sql: PostgresStatements, options: TimeBudgetOptions): TimeBudget {
  const now = options.now ?? Date.now
  let reservations = 0

  const read = async (student: string, from: number, to: number): Promise<SpansAt> => {
    const [row] = await query(sql.readSpans, [student, from, to])
    return { version: row!.version as string, spans: row!.spans as PlacedSpan[] }
  }

  /** Writes `placed` in place of `ids`' spans if the student's counter is still `seen`. */
  const write = async (student: string, seen: string, ids: string[], placed: PlacedSpan[]) => {
    const rows = await query(sql.writeSpans, [student, seen, ids, JSON.stringify(placed)])
    return rows[0]!.won === 1
  }

  return {
    async reserveTime(student, claims: CreditClaim[]) {
      if (++reservations % SWEEP_EVERY === 0) void query(sql.sweepSpans, [now() - options.ttlMs]).catch(() => {})
      const { from, to } = windowOf(claims)
      const ids = claims.map((c) => c.id)
      return reserveOptimistically(async () => {
        const seen = await read(student, from, to)
        const { granted, placed } = placeCredit(overlapping(seen.spans, claims), claims)
        return (await write(student, seen.version, ids, placed)) ? granted : undefined
      })
    },
    async releaseTime(student, eventIds) {
      if (!eventIds.length) return
      await query(sql.releaseSpans, [student, eventIds])
    },
  }
}
