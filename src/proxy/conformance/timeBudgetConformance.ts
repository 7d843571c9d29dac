import fc from 'fast-check'
import { placeCredit, type CreditClaim, type PlacedSpan } from '../store/creditedTime.js'
import { overlapping, type TimeBudget } from '../store/timeBudget.js'
import { runConformance, type ConformanceContext, type Cleanup, type ConformanceOptions } from './conformanceRun.js'

const STUDENTS = ['https://sis.example/users/1', 'https://sis.example/users/2']
const EVENTS = Array.from({ length: 5 }, (_, i) => `urn:uuid:00000000-0000-4000-8000-00000000010${i}`)
const MINUTE = 60_000

type BudgetStep =
  | { reserve: string; claims: CreditClaim[] }
  | { release: string; ids: string[] }
  | { together: string; claims: CreditClaim[] }

/** A claim for one of the events: a window of 1 to 5 minutes in the first ten, asking for part or all of it. */
const claim = (id: string) =>
  fc
    .record({ from: fc.integer({ min: 0, max: 10 }), minutes: fc.integer({ min: 1, max: 5 }), share: fc.constantFrom(1, 0.5, 0.25) })
    .map(({ from, minutes, share }) => ({ id, from, minutes, share }))

const claims = (start: number) =>
  fc.uniqueArray(fc.constantFrom(...EVENTS), { minLength: 1, maxLength: 3 }).chain((ids) =>
    fc.tuple(...ids.map(claim)).map((made) =>
      made.map(({ id, from, minutes, share }): CreditClaim => ({
        id,
        start: start + from * MINUTE,
        end: start + (from + minutes) * MINUTE,
        ms: Math.round(minutes * MINUTE * share),
      })),
    ),
  )

/** The time budget built for one sequence. */
export interface BudgetUnderTest extends Cleanup {
  budget: TimeBudget
}

const permutations = (items: number[]): number[][] =>
  items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))

const stepsFrom = (start: number, maxSteps: number) =>
  fc.array(
    fc.oneof(
      fc.record({ reserve: fc.constantFrom(...STUDENTS), claims: claims(start) }),
      fc.record({ release: fc.constantFrom(...STUDENTS), ids: fc.uniqueArray(fc.constantFrom(...EVENTS), { minLength: 1, maxLength: 3 }) }),
      fc.record({ together: fc.constantFrom(...STUDENTS), claims: claims(start) }),
    ) as fc.Arbitrary<BudgetStep>,
    { minLength: 1, maxLength: maxSteps },
  )

/**
 * Checks a time budget against the placement rules written once (`placeCredit`): random
 * reservations and releases for two students over five events, step by step on a fresh budget,
 * each answer compared with what the rules grant given the spans placed so far. A `together`
 * step sends its claims at once as one-claim reservations for a new student: the backend may
 * serialise them in any order, but what it grants must be what one such order grants (no stretch
 * of time granted twice, none lost). Resolves when all agree; rejects with the shortest
 * sequence found that does not.
 *
 * `makeBudget` builds a fresh budget per sequence (`context.name` for its table or prefix; its
 * retention must be at least `context.ttlMs`, so nothing placed ages out during a run).
 */
export async function timeBudgetConformance(
  makeBudget: (context: ConformanceContext) => BudgetUnderTest | Promise<BudgetUnderTest>,
  options: ConformanceOptions = {},
): Promise<void> {
  const start = 1_700_000_000_000
  const ttlMs = 31 * 24 * 3_600_000
  await runConformance(stepsFrom(start, options.maxSteps ?? 30), options, async (steps, clock, name) => {
    clock.advance(start + 11 * MINUTE - clock.now())
    const subject = await makeBudget({ ttlMs, now: clock.now, name })
    const model = new Map<string, PlacedSpan[]>()
    const place = (student: string, asked: CreditClaim[]) => {
      const spans = model.get(student) ?? []
      const { granted, placed } = placeCredit(overlapping(spans, asked), asked)
      const ids = new Set(asked.map((c) => c.id))
      model.set(student, [...spans.filter((s) => !ids.has(s.id)), ...placed])
      return granted
    }
    try {
      for (const [i, s] of steps.entries()) {
        const where = `step ${i + 1} of ${JSON.stringify(steps)}`
        if ('release' in s) {
          await subject.budget.releaseTime(s.release, s.ids)
          const gone = new Set(s.ids)
          model.set(s.release, (model.get(s.release) ?? []).filter((span) => !gone.has(span.id)))
        } else if ('reserve' in s) {
          const got = await subject.budget.reserveTime(s.reserve, s.claims)
          const expected = place(s.reserve, s.claims)
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            throw new Error(`${where}: reserveTime granted ${JSON.stringify(got)} ms, the placement rules ${JSON.stringify(expected)} ms`)
          }
        } else {
          // A student of its own, so the steps before do not matter and the ones after are not disturbed.
          const student = `${s.together}/together-${i}`
          const got = await Promise.all(s.claims.map((c) => subject.budget.reserveTime(student, [c])))
          const orders = permutations(s.claims.map((_, k) => k))
          const serial = orders.some((order) => {
            const placed: PlacedSpan[] = []
            const granted: number[] = []
            for (const k of order) {
              const one = placeCredit(placed, [s.claims[k]!])
              placed.push(...one.placed)
              granted[k] = one.granted[0]!
            }
            return JSON.stringify(granted.map((g) => [g])) === JSON.stringify(got)
          })
          if (!serial) {
            throw new Error(`${where}: concurrent reservations granted ${JSON.stringify(got)} ms, what no one-at-a-time order of them grants`)
          }
        }
      }
    } finally {
      await subject.close?.()
    }
  })
}
