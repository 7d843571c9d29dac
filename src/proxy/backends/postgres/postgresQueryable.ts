/** A `pg` Pool or Client, or anything with the same `query` (so the dependency stays optional). */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}
