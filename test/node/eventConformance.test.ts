// Every event the builders produce must validate against the platform's published schemas:
// `Envelope` of the seed OpenAPI and the strict copy's event, user and context schemas.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  buildActivityEvent,
  buildEnvelope,
  buildTimeSpentEvent,
  runIdOf,
  SUBJECTS,
  validateEnvelope,
  type ActivityMetrics,
  type Subject,
  type TimeSpentItemInput,
} from '../../src/events/index.js'
import {
  createSpecValidator,
  loadSpec,
  requestExamples,
  SEED_SPEC,
  SUBJECTS_MISSING_FROM_STRICT_COPY,
} from '../../spec/specValidator.js'

const asPublished = createSpecValidator({ strictSubjects: 'as-published' })
const newest = createSpecValidator({ strictSubjects: 'newest' })

const actor = { id: 'https://api.alpha-1edtech.ai/ims/oneroster/rostering/v1p2/users/student-123', email: 'student@example.com' }
const base = (subject: Subject) => ({
  id: 'https://app.example/lessons/7',
  subject,
  app: { name: 'Math App' },
})
const start = Date.parse('2025-03-01T10:00:00.000Z')

function expectValid(event: object, subject: Subject) {
  const envelope = buildEnvelope('https://app.example', [event])
  const validator = SUBJECTS_MISSING_FROM_STRICT_COPY.includes(subject) ? newest : asPublished
  const report = validator.validateEnvelope(envelope)
  assert.deepEqual(report.seed, [], `seed Envelope: ${report.seed.join('\n')}`)
  assert.deepEqual(report.strict, [], `strict copy: ${report.strict.join('\n')}`)
  const ours = validateEnvelope(envelope)
  assert.ok(ours.ok, `own schema: ${JSON.stringify(!ours.ok && ours.issues)}`)
}

const contexts = [
  { label: 'minimal', extra: {} },
  { label: 'with activity', extra: { activity: { name: 'Fractions quiz' } } },
  { label: 'with activity id', extra: { activity: { name: 'Fractions quiz', id: 'https://app.example/quizzes/3' } } },
  { label: 'with course', extra: { course: { id: 'https://api.alpha-1edtech.ai/ims/oneroster/rostering/v1p2/courses/c1', name: 'Math G5' } } },
  { label: 'with app id', extra: { app: { name: 'Math App', id: 'https://app.example' } } },
]

const itemSets: TimeSpentItemInput[][] = [
  [{ type: 'active', value: 10 }],
  [{ type: 'inactive', value: 0 }],
  [{ type: 'unknown', value: 5 }],
  [{ type: 'waste', value: 2, subType: 'eating' }],
  [{ type: 'anti-pattern', value: 8 }],
  [
    { type: 'active', value: 3600 },
    { type: 'inactive', value: 61 },
    { type: 'unknown', value: 7200 },
    { type: 'waste', value: 2, subType: 'eating' },
    { type: 'waste', value: 4, subType: 'break' },
    { type: 'anti-pattern', value: 8, subType: 'rapid-guessing' },
  ],
]

const metricSets: ActivityMetrics[] = [
  { xpEarned: 150 },
  { xpEarned: -5 },
  { xpEarned: 2.5 },
  { totalQuestions: 10, correctQuestions: 9 },
  { totalQuestions: 0, correctQuestions: 0 },
  { masteredUnits: 2 },
  { totalQuestions: 10, correctQuestions: 8, xpEarned: 100, masteredUnits: 2 },
]

describe('TimeSpentEvent conforms to both published schemas', () => {
  for (const subject of SUBJECTS) {
    for (const { label, extra } of contexts) {
      it(`${subject}, ${label}`, () => {
        for (const items of itemSets) {
          const event = buildTimeSpentEvent({
            actor: { ...actor, name: 'Ada Student', role: 'student' },
            object: { ...base(subject), ...extra },
            items,
            startDate: start,
            endDate: start + 60_000,
          })
          expectValid(event, subject)
        }
      })
    }
  }
})

describe('ActivityEvent conforms to both published schemas', () => {
  for (const subject of SUBJECTS) {
    for (const { label, extra } of contexts) {
      it(`${subject}, ${label}`, () => {
        for (const metrics of metricSets) {
          for (const options of [{}, { attempt: 1 }, { attempt: 3, process: true }, { process: false }]) {
            const event = buildActivityEvent({ actor, object: { ...base(subject), ...extra }, metrics, ...options })
            expectValid(event, subject)
          }
        }
      })
    }
  }
})

describe('events of a run (extensions.runId) conform to both published schemas', () => {
  const runId = 'urn:uuid:4c1c2a4e-9a55-4f39-8f0a-3c6d2b1e7a10'
  for (const subject of ['Math', 'FastMath'] as Subject[]) {
    it(`${subject}: a TimeSpentEvent and the ActivityEvent of one run`, () => {
      const object = { ...base(subject), ...contexts[3]!.extra }
      const spent = buildTimeSpentEvent({ actor, object, items: itemSets[5]!, startDate: start, endDate: start + 60_000, runId })
      const done = buildActivityEvent({ actor, object, metrics: { xpEarned: 150 }, attempt: 1, runId })
      for (const event of [spent, done]) {
        assert.deepEqual(event.extensions, { runId })
        assert.equal(runIdOf(event), runId)
        expectValid(event, subject)
      }
    })
  }

  it('a run id that is not urn:uuid is refused by field, by the builders and the proxy schemas', () => {
    assert.throws(
      () => buildActivityEvent({ actor, object: base('Math'), metrics: { xpEarned: 1 }, runId: 'run-7' }),
      /buildActivityEvent: runId: must be urn:uuid:<uuid>/,
    )
    const event = { ...buildActivityEvent({ actor, object: base('Math'), metrics: { xpEarned: 1 } }), extensions: { runId: 7 } }
    const ours = validateEnvelope(buildEnvelope('https://app.example', [event]))
    assert.deepEqual(!ours.ok && ours.issues.map((i) => i.path), ['data[0].extensions.runId'])
  })
})

describe('the strict copy as published', () => {
  it('rejects the subjects only the newest document knows, so testing it with the other six is meaningful', () => {
    for (const subject of SUBJECTS_MISSING_FROM_STRICT_COPY as Subject[]) {
      const event = buildActivityEvent({ actor, object: base(subject), metrics: { xpEarned: 1 } })
      const report = asPublished.validateEnvelope(buildEnvelope('https://app.example', [event]))
      assert.deepEqual(report.seed, [])
      assert.ok(report.strict.some((e) => e.includes('/object/subject')), report.strict.join('\n'))
    }
  })

  it('catches a missing app name and a course without a name', () => {
    const event: any = buildTimeSpentEvent({
      actor,
      object: { ...base('Math'), course: { id: 'https://x.example/c/1', name: 'C' } },
      items: [{ type: 'active', value: 1 }],
      startDate: start,
      endDate: start + 1000,
    })
    delete event.object.app.name
    delete event.object.course.name
    const report = asPublished.validateEnvelope(buildEnvelope('https://app.example', [event]))
    assert.ok(report.strict.some((e) => e.includes('/object/app') && e.includes('name')), report.strict.join('\n'))
    assert.ok(report.strict.some((e) => e.includes('/object/course') && e.includes('name')), report.strict.join('\n'))
    const ours = validateEnvelope(buildEnvelope('https://app.example', [event]))
    assert.equal(ours.ok, false)
    assert.deepEqual(
      !ours.ok && ours.issues.map((i) => i.path).sort(),
      ['data[0].object.app.name', 'data[0].object.course.name'],
    )
  })
})

describe('the 8 request examples of the seed OpenAPI', () => {
  const examples = requestExamples(loadSpec(SEED_SPEC))
  // The published examples hold placeholders (`<userId>`, `<dynamic-timestamp>`); DESIGN.md:
  // those are not URIs, real events carry real URLs. Fill them in the way an app would.
  const fill = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value)
        .replace('<dynamic-timestamp>', new Date().toISOString())
        .replace(/<([A-Za-z-]+)>/g, (_m, name: string) => `${name.toLowerCase()}-42`),
    )

  it('there are exactly 8', () => assert.equal(Object.keys(examples).length, 8))

  for (const [name, example] of Object.entries(examples)) {
    it(`${name} parses with our schemas and validates against the seed Envelope`, () => {
      const envelope = fill(example)
      const ours = validateEnvelope(envelope)
      assert.ok(ours.ok, JSON.stringify(!ours.ok && ours.issues))
      assert.deepEqual(newest.validateEnvelope(envelope).seed, [])
    })
  }

  it('left unfilled, the placeholders are rejected by field', () => {
    const ours = validateEnvelope(examples.example1)
    assert.equal(ours.ok, false)
    const paths = !ours.ok ? ours.issues.map((i) => i.path) : []
    assert.ok(paths.includes('sendTime'), paths.join())
    assert.ok(paths.includes('data[0].actor.id'), paths.join())
    assert.ok(paths.includes('data[0].object.id'), paths.join())
  })
})
