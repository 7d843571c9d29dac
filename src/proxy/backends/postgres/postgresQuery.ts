import type { PostgresQueryable } from './postgresQueryable.js'

// Lock conflicts PostgreSQL resolves by aborting one side; the statement is safe to run again.
const RETRYABLE = new Set(['40P01', '40001'])

/** Runs one statement and returns its rows. */
export type PostgresQuery = (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>

/**
 * Statements on tables that `schema` creates: the first one creates them (once per process;
 * retried by a later statement if it failed), and a statement PostgreSQL aborted over a lock
 * conflict runs again (up to five times).
 */
export function postgresQuery(pool: PostgresQueryable, schema: string): PostgresQuery {
  const create = () => pool.query(schema)
  let ready: Promise<unknown> | undefined
  return async (text, values) => {
    // Instances starting together race to create the tables: the loser's error is a duplicate
    // key in the catalog, and its second try finds the tables there.
    ready ??= create()
      .catch(() => create())
      .catch((error) => {
        ready = undefined
        throw error
      })
    await ready
    for (let attempt = 0; ; attempt++) {
      try {
        return (await pool.query(text, values)).rows as Array<Record<string, unknown>>
      } catch (error) {
        if (attempt >= 4 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error
      }
    }
  }
}
