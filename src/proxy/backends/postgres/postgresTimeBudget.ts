import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { PostgresQuery } from './postgresQuery.js'
import type { PostgresStatements } from './postgresStatements.js'
import type { VersionedSpanStore } from '../../store/spanStore.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'
import { SWEEP_EVERY } from '../../store/sweepSettings.js'

/**
 * The time budget's spans in PostgreSQL, in two tables beside the ledger's: `<table>_credit` (the
 * spans each event's credited time occupies) and `<table>_credit_version` (one counter per
 * student). A request's reservation is made with its claim, in one call (the ledger's
 * `claimWithTime`). On its own, `readSpans` reads a student's spans and counter in one
 * statement; `createTimeBudget` places the claims (`placeCredit`, the same code as every other
 * ledger); `writeSpans` writes in one statement that bumps the counter only if it is still the one
 * read (`ON CONFLICT … DO UPDATE … WHERE` sees the latest committed row) and changes the spans
 * only if it did. Two instances placing the same student's time at once: one write wins, the
 * other reads again. Needs only `query` (no transaction, no pinned connection), so a serverless
 * driver works too.
 */
export function createPostgresSpanStore(query: PostgresQuery, sql: PostgresStatements, options: TimeBudgetOptions): VersionedSpanStore {
  const now = options.now ?? Date.now
  let reads = 0
  return {
    async readSpans(student, from, to) {
      if (++reads % SWEEP_EVERY === 0) void query(sql.sweepSpans, [now() - options.ttlMs]).catch(() => {})
      const [row] = await query(sql.readSpans, [student, from, to])
      return { version: row!.version as string, spans: row!.spans as PlacedSpan[] }
    },
    async writeSpans(student, seen, ids, placed) {
      const rows = await query(sql.writeSpans, [student, seen, ids, JSON.stringify(placed)])
      return rows[0]!.won === 1
    },
    async releaseSpans(student, eventIds) {
      await query(sql.releaseSpans, [student, eventIds])
    },
  }
}

/** The time budget in PostgreSQL: its span store under `createTimeBudget`. */
export const createPostgresTimeBudget = (query: PostgresQuery, sql: PostgresStatements, options: TimeBudgetOptions): TimeBudget =>
  createTimeBudget(createPostgresSpanStore(query, sql, options))
