/** The part of a better-sqlite3 prepared statement the ledger uses. */
export interface SqliteStatement {
  /** Runs it for its changes. */
  run(...params: unknown[]): unknown
  /** Its first row, if any. */
  get(...params: unknown[]): unknown
  /** All its rows. */
  all(...params: unknown[]): unknown[]
}

/** The part of a better-sqlite3 `Database` this ledger uses (so the dependency stays optional). */
export interface SqliteDatabase {
  /** Runs statements that return nothing (the schema). */
  exec(sql: string): unknown
  /** A prepared statement, prepared once and run many times. */
  prepare(sql: string): SqliteStatement
  /** Sets or reads a pragma (WAL, `synchronous`, `busy_timeout`). */
  pragma(source: string, options?: { simple?: boolean }): unknown
  /** Called inside another transaction, the function runs in a savepoint. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & {
    /** Runs the function in an IMMEDIATE transaction: the write lock is taken first. */
    immediate(...args: A): R
  }
}
