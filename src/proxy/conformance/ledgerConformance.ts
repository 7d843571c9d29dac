import fc from 'fast-check'
import { applyClaimOperation, type ClaimOperation, type ClaimSettings, type ClaimState } from '../store/claimModel.js'
import type { CaliperLedger } from '../store/ledger.js'
import { runConformance, type ConformanceContext, type Cleanup, type ConformanceOptions } from './conformanceRun.js'

const OWNERS = ['owner-a', 'owner-b', 'owner-c'] as const
const IDS = ['urn:uuid:00000000-0000-4000-8000-00000000000a', 'urn:uuid:00000000-0000-4000-8000-00000000000b', 'urn:uuid:00000000-0000-4000-8000-00000000000c']
/** Leases and holds short against the retention, and steps of time that land on their ends exactly. */
const TTL_MS = 20_000
const DURATIONS = [1_000, 4_000]
const ADVANCES = [0, 1, 999, 1_000, 3_000, 4_000, 20_000, 21_000, 25_000]

type ClaimStep = Extract<ClaimOperation, { op: 'claim' }> & { ids: string[] }
type LedgerStep = { advance: number } | { race: ClaimStep[] } | (ClaimOperation & { ids: string[] })

const step: fc.Arbitrary<LedgerStep> = fc.oneof(
  fc.record({ advance: fc.constantFrom(...ADVANCES) }),
  fc
    .record({
      op: fc.constantFrom('claim', 'renew', 'commit', 'release', 'markInDoubt'),
      owner: fc.constantFrom(...OWNERS),
      ids: fc.array(fc.constantFrom(...IDS), { minLength: 1, maxLength: 4 }),
      ms: fc.constantFrom(...DURATIONS),
    })
    .map(({ op, owner, ids, ms }): LedgerStep => {
      if (op === 'claim' || op === 'renew') return { op, owner, ids, leaseMs: ms }
      if (op === 'markInDoubt') return { op, owner, ids, holdMs: ms }
      return { op, owner, ids }
    }),
  // Two or three owners claiming overlapping ids at the same moment.
  fc
    .uniqueArray(fc.constantFrom(...OWNERS), { minLength: 2, maxLength: 3 })
    .chain((owners) =>
      fc.tuple(...owners.map(() => fc.array(fc.constantFrom(...IDS), { minLength: 1, maxLength: 3 }))).map((idSets) => ({
        race: owners.map((owner, k): ClaimStep => ({ op: 'claim', owner, ids: idSets[k]!, leaseMs: DURATIONS[0]! })),
      })),
    ),
)

/** The ledger built for one interleaving. */
export interface LedgerUnderTest extends Cleanup {
  ledger: CaliperLedger
}

const sorted = (ids: Iterable<string>) => [...ids].sort()
const describeOne = (s: ClaimOperation & { ids: string[] }) => `${s.op}(${s.ids.map((id) => id.slice(-1)).join(',')}) by ${s.owner}`
const describe = (s: LedgerStep) =>
  'advance' in s ? `time +${s.advance} ms` : 'race' in s ? `at once: ${s.race.map(describeOne).join(' | ')}` : describeOne(s)

/** Applies one operation to each of its ids in `model`; the answers, per id. */
const applyTo = (model: Map<string, ClaimState>, s: ClaimOperation & { ids: string[] }, now: number, settings: ClaimSettings) =>
  [...new Set(s.ids)].map((id) => {
    const { state, answer } = applyClaimOperation(model.get(id) ?? { kind: 'fresh' }, s, now, settings)
    model.set(id, state)
    return { id, answer }
  })

/** A claim's answers as `CaliperLedger.claim` gives them, each list sorted. */
const asLedgerClaim = (answers: ReturnType<typeof applyTo>) => ({
  claimed: sorted(answers.filter((a) => a.answer.answer === 'claimed').map((a) => a.id)),
  delivered: sorted(answers.filter((a) => a.answer.answer === 'delivered').map((a) => a.id)),
  doubtful: sorted(answers.filter((a) => a.answer.answer === 'claimed' && a.answer.doubtful).map((a) => a.id)),
})

const permutations = (items: number[]): number[][] =>
  items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))

/**
 * Checks a ledger against the claim model (`claimModel.ts`): random interleavings of claim,
 * renew, commit, release and markInDoubt by three owners over three ids, with time moving past
 * leases, holds and the retention, run step by step on a fresh ledger and compared with the
 * model's answers; some steps are claims by several owners at once, whose answers must be those
 * of the same claims one at a time in some order. Resolves when every interleaving agrees; rejects with the shortest
 * interleaving found that does not (and the seed to replay it).
 *
 * `makeLedger` builds a fresh ledger for each interleaving, with `context.ttlMs` as its
 * retention and `context.now` as its only clock (a database's own clock must give way to it);
 * `context.name` is unique per interleaving (a table name or key prefix).
 *
 * @example
 * import { it } from 'node:test'
 * import { ledgerConformance } from 'timeback-tracker/proxy/conformance'
 * it('my ledger keeps the claim model', () =>
 *   ledgerConformance(({ ttlMs, now, name }) => ({ ledger: createMyLedger(db, { table: name, ttlMs, now }) })))
 */
export async function ledgerConformance(
  makeLedger: (context: ConformanceContext) => LedgerUnderTest | Promise<LedgerUnderTest>,
  options: ConformanceOptions = {},
): Promise<void> {
  const settings = { ttlMs: TTL_MS }
  await runConformance(fc.array(step, { minLength: 1, maxLength: options.maxSteps ?? 30 }), options, async (steps, clock, name) => {
    const subject = await makeLedger({ ttlMs: TTL_MS, now: clock.now, name })
    const model = new Map<string, ClaimState>()
    try {
      for (const [i, s] of steps.entries()) {
        if ('advance' in s) {
          clock.advance(s.advance)
          continue
        }
        const where = `step ${i + 1} of [${steps.map(describe).join('; ')}]`
        const { ledger } = subject
        if ('race' in s) {
          const got = await Promise.all(s.race.map((c) => ledger.claim(c.ids, c.owner, c.leaseMs)))
          const actual = JSON.stringify(got.map((g) => ({ claimed: sorted(g.claimed), delivered: sorted(g.delivered), doubtful: sorted(g.doubtful) })))
          // Atomic claims: the answers must be those of the claims one at a time, in some order.
          const order = permutations(s.race.map((_, k) => k)).find((order) => {
            const trial = new Map(model)
            const answers: string[] = []
            for (const k of order) answers[k] = JSON.stringify(asLedgerClaim(applyTo(trial, s.race[k]!, clock.now(), settings)))
            return `[${answers.join(',')}]` === actual
          })
          if (!order) throw new Error(`${where}: claims at once answered ${actual}, what no one-at-a-time order of them answers`)
          for (const k of order) applyTo(model, s.race[k]!, clock.now(), settings)
          continue
        }
        const answers = applyTo(model, s, clock.now(), settings)
        if (s.op === 'claim') {
          const got = await ledger.claim(s.ids, s.owner, s.leaseMs)
          const expected = asLedgerClaim(answers)
          const actual = { claimed: sorted(got.claimed), delivered: sorted(got.delivered), doubtful: sorted(got.doubtful) }
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(`${where}: claim answered ${JSON.stringify(actual)}, the claim model ${JSON.stringify(expected)}`)
          }
        } else if (s.op === 'renew') {
          const got = sorted(new Set(await ledger.renew(s.ids, s.owner, s.leaseMs)))
          const expected = sorted(answers.filter((a) => a.answer.answer === 'applied').map((a) => a.id))
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            throw new Error(`${where}: renew still holds ${JSON.stringify(got)}, the claim model ${JSON.stringify(expected)}`)
          }
        } else if (s.op === 'commit') await ledger.commit(s.ids, s.owner)
        else if (s.op === 'release') await ledger.release(s.ids, s.owner)
        else await ledger.markInDoubt(s.ids, s.owner, s.holdMs)
      }
    } finally {
      await subject.close?.()
    }
  })
}
