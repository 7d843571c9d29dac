// The proxy's fast path: a yes/no check compiled from the event schemas must agree with zod on
// every event, valid or not (zod is then asked only about refused events, for the messages).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as z from 'zod/mini'
import { buildActivityEvent, buildTimeSpentEvent, validateEnvelope, validateEvent } from '../../src/events/index.js'
import { envelopeSchema, timebackEventSchema } from '../../src/events/eventSchemas.js'
import { compileCheck } from '../../src/proxy/pipeline/compiledCheck.js'

const end = Date.parse('2025-03-01T10:00:00Z')
const actor = { id: 'https://sis.example/users/1', email: 'student@example.com', name: 'Ada', role: 'student' as const }
const object = {
  id: 'https://app.example/lessons/7',
  subject: 'Math' as const,
  app: { name: 'Math App', id: 'https://app.example' },
  activity: { name: 'Fractions', id: 'https://app.example/activities/3' },
  course: { id: 'https://sis.example/courses/5', name: 'Math G5' },
}
const runId = 'urn:uuid:0b9a3b8e-1c1f-4a8e-9a58-6b1f3c2d4e5f'
const timeSpent = buildTimeSpentEvent({
  actor,
  object,
  items: [{ type: 'active', value: 30 }, { type: 'waste', value: 3, subType: 'off-task' }, { type: 'inactive', value: 5 }],
  startDate: end - 60_000,
  endDate: end,
  runId,
})
const activity = buildActivityEvent({ actor, object, metrics: { totalQuestions: 5, correctQuestions: 4, xpEarned: 20 }, attempt: 2, process: true, runId })
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value))

/** Every path to a value in `value`. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [at]
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  return [at, ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...at, key]))]
}
const replaced = (root: unknown, path: Array<string | number>, next: (old: unknown) => unknown) => {
  const copy = clone(root) as Record<string | number, unknown>
  if (!path.length) return next(copy)
  let parent = copy as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  const value = next(parent[last])
  if (value === DELETE) delete parent[last]
  else parent[last] = value
  return copy
}
const DELETE = Symbol('delete')
const odd = [DELETE, undefined, null, 0, -1, 1.5, 1e308, Infinity, NaN, '', '   ', 'x', 'x'.repeat(501), 'https://x.example/a', 'urn:uuid:0b9a3b8e-1c1f-4a8e-9a58-6b1f3c2d4e5f', 'student', 'active', 'Math', '2025-03-01T10:00:00.000Z', true, false, [], [1], {}, { a: 1 }]

/** Mutations of `event`: each path set to each odd value, and an unknown key at each object. */
function mutations(event: unknown): unknown[] {
  const out: unknown[] = [event]
  for (const path of paths(event)) {
    for (const value of odd) out.push(replaced(event, path, () => value))
    out.push(replaced(event, path, (old) => (typeof old === 'object' && old !== null && !Array.isArray(old) ? { ...old, unexpected: 1 } : old)))
  }
  return out
}

describe('compileCheck: the proxy’s fast event check agrees with zod', () => {
  const check = compileCheck(timebackEventSchema)
  for (const [name, event] of [['TimeSpentEvent', timeSpent], ['ActivityEvent', activity]] as const) {
    it(`${name}: on every mutation of every field`, () => {
      const all = mutations(clone(event))
      const disagree = all.filter((e) => check(e) !== validateEvent(e).ok)
      assert.deepEqual(disagree, [])
      const accepted = all.filter((e) => check(e)).length
      assert.ok(accepted > 20 && accepted < all.length - 100, `${accepted} of ${all.length} accepted: both outcomes are exercised`)
    })
  }

  it('on 4,000 random pairs of mutations (seeded), both event types', () => {
    let x = 12345
    const random = (n: number) => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31), x % n)
    const disagree: unknown[] = []
    for (const event of [clone(timeSpent), clone(activity)]) {
      const all = paths(event).filter((p) => p.length)
      for (let i = 0; i < 2000; i++) {
        let mutated: unknown = event
        for (let j = 0; j < 2; j++) {
          const path = all[random(all.length)]!
          const value = odd[random(odd.length)]
          try {
            mutated = replaced(mutated, path, () => value)
          } catch {
            // the first mutation removed the parent of the second's path
          }
        }
        if (check(mutated) !== validateEvent(mutated).ok) disagree.push(mutated)
      }
    }
    assert.deepEqual(disagree, [])
  })

  it('the whole envelope schema too', () => {
    const checkEnvelope = compileCheck(envelopeSchema)
    const envelope = { sensor: 'https://app.example', sendTime: '2025-03-01T10:00:01.000Z', dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2', data: [clone(timeSpent), clone(activity)] }
    const all = mutations(envelope).slice(0, 2000)
    assert.deepEqual(all.filter((e) => checkEnvelope(e) !== validateEnvelope(e).ok), [])
    assert.equal(checkEnvelope(envelope), true)
  })

  it('refuses to compile what it would not check as zod does', () => {
    assert.throws(() => compileCheck(z.number()), /"number" schema is not supported/)
    assert.throws(() => compileCheck(z.string().check(z.minLength(1))), /check is not supported/)
    assert.throws(() => compileCheck(z.strictObject({ a: z.optional(z.int()) })), /not supported/)
  })

  it('an aborting refinement is checked as zod does: no later one runs on what it refused', () => {
    const schema = z.unknown().check(
      z.refine((v) => typeof v === 'string', { abort: true }),
      z.refine((v) => (v as string).trim().length > 0),
    )
    const check = compileCheck(schema)
    for (const value of ['a', ' ', 5, undefined]) assert.equal(check(value), z.safeParse(schema, value).success)
  })
})
