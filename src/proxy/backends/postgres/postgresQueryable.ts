/** A `pg` Pool or Client, or anything with the same `query` (so the dependency stays optional). */
export interface PostgresQueryable {
  /** Runs one statement with its parameters and resolves its rows. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}
