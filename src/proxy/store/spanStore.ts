import type { PlacedSpan } from './creditedTime.js'

/** A student's spans as one consistent read saw them, and the version that read saw. */
export interface SpansAt {
  version: string
  spans: PlacedSpan[]
}

/** What `place` (the placement rules) makes of a student's spans: the spans to write, and the answer. */
export type Placement<T> = (spans: PlacedSpan[]) => { placed: PlacedSpan[]; result: T }

interface SpanStoreBase {
  /** Drops the spans of `eventIds` (and moves a versioned store's version on). */
  releaseSpans(studentId: string, eventIds: string[]): Promise<void>
}

/**
 * A store that reads and writes through a version per student (compare-and-set): for a backend
 * with no transaction over several statements (PostgreSQL by plain `query`, Redis).
 * `createTimeBudget` reads, places and writes until a write wins.
 */
export interface VersionedSpanStore extends SpanStoreBase {
  /** The student's spans that end after `from` and start before `to`, and its version now. */
  readSpans(studentId: string, from: number, to: number): Promise<SpansAt>
  /**
   * If the student's version is still `seen`: moves it on, replaces the spans of `eventIds` with
   * `placed` and resolves true; otherwise changes nothing and resolves false.
   */
  writeSpans(studentId: string, seen: string, eventIds: string[], placed: PlacedSpan[]): Promise<boolean>
}

/**
 * A store that can hold a student's spans still while it places (one process's memory, a SQLite
 * transaction, a PostgreSQL statement joined to its claim): reads the spans in `[from, to)`,
 * calls `place` on them, writes the spans it returns in place of `eventIds`' and resolves what
 * `place` returned, all atomically.
 */
export interface AtomicSpanStore extends SpanStoreBase {
  /**
   * In one transaction: reads the student's spans touching `[from, to)` (without those of
   * `eventIds`), calls `place` with them, writes what it placed in place of `eventIds`' spans,
   * and returns its result.
   */
  placeAtomically<T>(studentId: string, from: number, to: number, eventIds: string[], place: Placement<T>): Promise<T>
}

/**
 * Where a time budget keeps each student's spans: what a backend implements, so that the
 * placement rules (`createTimeBudget`, `placeCredit`) are written once.
 */
export type SpanStore = VersionedSpanStore | AtomicSpanStore
