import type { PlacedSpan } from './creditedTime.js'

/** A student's spans as one consistent read saw them, and the version that read saw. */
export interface SpansAt {
  version: string
  spans: PlacedSpan[]
}

/**
 * Where a time budget keeps each student's spans: what a backend implements, so that the
 * placement rules (`createTimeBudget`, `placeCredit`) are written once. Reads and writes go
 * through a version per student (compare-and-set), which lets a backend with no transactions
 * over several statements (PostgreSQL by plain `query`, Redis) stay correct under concurrency.
 */
export interface SpanStore {
  /** The student's spans that end after `from` and start before `to`, and its version now. */
  readSpans(studentId: string, from: number, to: number): Promise<SpansAt>
  /**
   * If the student's version is still `seen`: moves it on, replaces the spans of `eventIds` with
   * `placed` and resolves true; otherwise changes nothing and resolves false.
   */
  writeSpans(studentId: string, seen: string, eventIds: string[], placed: PlacedSpan[]): Promise<boolean>
  /** Drops the spans of `eventIds` and moves the student's version on. */
  releaseSpans(studentId: string, eventIds: string[]): Promise<void>
  /**
   * A fast path for a backend that can hold the student's spans still while it places (one
   * process's memory, a SQLite transaction, a PostgreSQL statement joined to its claim): reads
   * the spans in `[from, to)`, calls `place` on them, writes the spans it returns in place of
   * `eventIds`' and resolves what `place` returned, all atomically. Without it, `createTimeBudget`
   * reads, places and writes with `writeSpans` until a write wins.
   */
  placeAtomically?<T>(
    studentId: string,
    from: number,
    to: number,
    eventIds: string[],
    place: (spans: PlacedSpan[]) => { placed: PlacedSpan[]; result: T },
  ): Promise<T>
}
