import fc from 'fast-check'

/** What a conformance suite gives the backend it builds for each interleaving. */
export interface ConformanceContext {
  /** The retention the backend must be made with (`ttlMs`). */
  ttlMs: number
  /** The only clock the backend may read: leases, holds and retention end by it. */
  now: () => number
  /** Unique per interleaving: a table name or key prefix, so runs never see each other's data. */
  name: string
}

/** How to clean up after the backend built for one interleaving (drop its table, keys…). */
export interface Cleanup {
  /** Called once the sequence is done: drop the table or keys, close the connection. */
  close?(): unknown
}

/** How hard the suites try: `runs` random sequences of at most `maxSteps` steps; `seed` replays one. */
export interface ConformanceOptions {
  /** Random interleavings to try. Default 100. */
  runs?: number
  /** Steps in the longest interleaving. Default 30. */
  maxSteps?: number
  /** fast-check's seed, to replay a reported failure. */
  seed?: number
}

/** A clock the suite moves by hand, starting at a fixed time so a run replays exactly. */
export interface ManualClock {
  now(): number
  advance(ms: number): void
}

/** 2023-11-14T22:13:20Z: any fixed instant will do. */
const START = 1_700_000_000_000

/** Runs `check` on each generated interleaving, on a fresh clock and name, the fast-check way. */
export async function runConformance<S>(
  steps: fc.Arbitrary<S>,
  options: ConformanceOptions,
  check: (steps: S, clock: ManualClock, name: string) => Promise<void>,
): Promise<void> {
  // Distinct from any earlier suite's names in the same database (another process, a rerun).
  const suite = Math.random().toString(36).slice(2, 10)
  let runs = 0
  const property = fc.asyncProperty(steps, async (generated) => {
    let t = START
    await check(generated, { now: () => t, advance: (ms) => void (t += ms) }, `conformance_${suite}_${++runs}`)
  })
  await fc.assert(property, { numRuns: options.runs ?? 100, ...(options.seed !== undefined && { seed: options.seed }) })
}
