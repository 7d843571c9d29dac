import { expect } from 'chai'
import {
  buildActivityEvent,
  buildEnvelope,
  buildTimeSpentEvent,
  CALIPER_CONTEXT,
  TimebackValidationError,
  type ActivityEventInput,
  type TimeSpentEventInput,
} from '../../../src/events/index.js'

const actor = { id: 'https://sis.example/users/123', email: 'student@example.com' }
const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const start = Date.parse('2025-03-01T10:00:00.000Z')
const timeSpent = (): TimeSpentEventInput => ({
  actor: { ...actor },
  object: { ...object, app: { ...object.app } },
  items: [{ type: 'active', value: 42 }],
  startDate: start,
  endDate: start + 60_000,
})
const activity = (): ActivityEventInput => ({
  actor: { ...actor },
  object: { ...object, app: { ...object.app } },
  metrics: { totalQuestions: 10, correctQuestions: 9, xpEarned: 150 },
})
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('buildTimeSpentEvent', () => {
  it('builds a complete TimebackProfile TimeSpentEvent', () => {
    const event = buildTimeSpentEvent({
      ...timeSpent(),
      items: [
        { type: 'active', value: 42 },
        { type: 'waste', value: 3, subType: 'eating' },
      ],
    })
    expect(event['@context']).to.equal(CALIPER_CONTEXT)
    expect(event.id).to.match(UUID_URN)
    expect(event.generated.id).to.match(UUID_URN)
    expect(event.generated.id).not.to.equal(event.id)
    expect(event).to.include({ type: 'TimeSpentEvent', action: 'SpentTime', profile: 'TimebackProfile' })
    expect(event.eventTime).to.equal('2025-03-01T10:01:00.000Z')
    expect(event.actor).to.deep.equal({ ...actor, type: 'TimebackUser' })
    expect(event.object).to.deep.equal({ ...object, type: 'TimebackActivityContext' })
    expect(event.generated.type).to.equal('TimebackTimeSpentMetricsCollection')
    expect(event.generated.items).to.deep.equal([
      { type: 'active', value: 42, startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:01:00.000Z' },
      { type: 'waste', value: 3, subType: 'eating', startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:01:00.000Z' },
    ])
  })

  it('keeps a given id and accepts Date inputs', () => {
    const id = 'urn:uuid:c51570e4-f8ed-4c18-bb3a-dfe51b2cc594'
    const event = buildTimeSpentEvent({ ...timeSpent(), id, startDate: new Date(start), endDate: new Date(start + 1500), eventTime: new Date(start + 2000) })
    expect(event.id).to.equal(id)
    expect(event.eventTime).to.equal('2025-03-01T10:00:02.000Z')
    expect(event.generated.items[0]!.endDate).to.equal('2025-03-01T10:00:01.500Z')
  })

  it('does not copy extra properties from the input into the event', () => {
    const input = timeSpent()
    const event = buildTimeSpentEvent(input)
    expect(Object.keys(event).sort()).to.deep.equal(
      ['@context', 'action', 'actor', 'eventTime', 'generated', 'id', 'object', 'profile', 'type'].sort(),
    )
  })
})

describe('buildActivityEvent', () => {
  it('builds a Completed ActivityEvent with metrics in a stable order', () => {
    const event = buildActivityEvent({ ...activity(), metrics: { xpEarned: -5, masteredUnits: 2, totalQuestions: 4, correctQuestions: 4 }, attempt: 2, process: true, eventTime: start })
    expect(event).to.include({ type: 'ActivityEvent', action: 'Completed', profile: 'TimebackProfile', eventTime: '2025-03-01T10:00:00.000Z' })
    expect(event.object.process).to.equal(true)
    expect(event.generated).to.include({ type: 'TimebackActivityMetricsCollection', attempt: 2 })
    expect(event.generated.items).to.deep.equal([
      { type: 'totalQuestions', value: 4 },
      { type: 'correctQuestions', value: 4 },
      { type: 'xpEarned', value: -5 },
      { type: 'masteredUnits', value: 2 },
    ])
  })

  it('leaves out attempt and process unless given', () => {
    const event = buildActivityEvent(activity())
    expect(event.generated).not.to.have.property('attempt')
    expect(event.object).not.to.have.property('process')
  })
})

describe('buildEnvelope', () => {
  it('wraps events with sensor, sendTime and dataVersion', () => {
    const event = buildActivityEvent(activity())
    const envelope = buildEnvelope('https://app.example', [event], start)
    expect(envelope).to.deep.equal({ sensor: 'https://app.example', sendTime: '2025-03-01T10:00:00.000Z', dataVersion: CALIPER_CONTEXT, data: [event] })
  })

  it('refuses an empty envelope', () => {
    expect(() => buildEnvelope('https://app.example', [])).to.throw(RangeError, /at least one/)
  })
})

type Case = [label: string, build: () => unknown, path: string, message: RegExp]
const ts = (change: (input: any) => void) => () => {
  const input: any = timeSpent()
  change(input)
  return buildTimeSpentEvent(input)
}
const ac = (change: (input: any) => void) => () => {
  const input: any = activity()
  change(input)
  return buildActivityEvent(input)
}

const badInputs: Case[] = [
  ['missing actor email', ts((i) => delete i.actor.email), 'actor.email', /is required/],
  ['malformed actor email', ts((i) => (i.actor.email = 'student@')), 'actor.email', /invalid email/],
  ['actor id that is not a URL', ts((i) => (i.actor.id = 'student-123')), 'actor.id', /absolute URL/],
  ['placeholder left in actor id', ts((i) => (i.actor.id = 'https://sis.example/users/<userId>')), 'actor.id', /absolute URL/],
  ['actor email as a number', ts((i) => (i.actor.email = 5)), 'actor.email', /expected string, got number/],
  ['misspelt actor field', ts((i) => (i.actor.emial = 'x@y.z')), 'actor', /unknown field\(s\) emial/],
  ['unknown actor role', ts((i) => (i.actor.role = 'parent')), 'actor.role', /must be one of "student"/],
  ['unknown subject', ts((i) => (i.object.subject = 'Maths')), 'object.subject', /must be one of "Reading", .*"None"/],
  ['missing subject', ts((i) => delete i.object.subject), 'object.subject', /is required/],
  ['missing seconds', ts((i) => (i.items = [{ type: 'active' }])), 'items[0].value', /is required/],
  ['activity id with a space', ts((i) => (i.object.id = 'https://app.example/lessons/7 intro')), 'object.id', /absolute URL/],
  ['missing app', ts((i) => delete i.object.app), 'object.app', /is required/],
  ['empty app name', ts((i) => (i.object.app.name = '')), 'object.app.name', /must not be empty/],
  ['blank activity name', ts((i) => (i.object.activity = { name: '   ' })), 'object.activity.name', /blank/],
  ['course without a name', ts((i) => (i.object.course = { id: 'https://sis.example/courses/1' })), 'object.course.name', /is required/],
  ['course id that is not a URL', ts((i) => (i.object.course = { id: 'c1', name: 'Math G5' })), 'object.course.id', /absolute URL/],
  ['no items', ts((i) => (i.items = [])), 'items', /at least 1/],
  ['unknown time type', ts((i) => (i.items = [{ type: 'idle', value: 1 }])), 'items[0].type', /must be one of "active"/],
  ['negative seconds', ts((i) => (i.items = [{ type: 'active', value: -1 }])), 'items[0].value', /≥ 0/],
  ['NaN seconds', ts((i) => (i.items = [{ type: 'active', value: NaN }])), 'items[0].value', /finite|number/],
  ['infinite seconds', ts((i) => (i.items = [{ type: 'active', value: Infinity }])), 'items[0].value', /finite/],
  ['seconds as a string', ts((i) => (i.items = [{ type: 'active', value: '5' }])), 'items[0].value', /must be a finite number ≥ 0/],
  ['the same type twice', ts((i) => (i.items = [{ type: 'active', value: 1 }, { type: 'active', value: 2 }])), 'items', /only once/],
  ['endDate before startDate', ts((i) => (i.endDate = start - 1)), 'endDate', /before startDate/],
  ['invalid Date', ts((i) => (i.startDate = new Date('nope'))), 'startDate', /valid Date/],
  ['event id that is not urn:uuid', ts((i) => (i.id = 'event-1')), 'id', /urn:uuid/],
  ['more correct than total questions', ac((i) => (i.metrics = { totalQuestions: 3, correctQuestions: 4 })), 'metrics.correctQuestions', /must not exceed totalQuestions/],
  ['fractional question count', ac((i) => (i.metrics = { totalQuestions: 2.5 })), 'metrics.totalQuestions', /integer|whole/],
  ['negative mastered units', ac((i) => (i.metrics = { masteredUnits: -1 })), 'metrics.masteredUnits', /≥ 0/],
  ['no metrics at all', ac((i) => (i.metrics = {})), 'metrics', /at least one of totalQuestions/],
  ['NaN XP', ac((i) => (i.metrics = { xpEarned: NaN })), 'metrics.xpEarned', /finite|number/],
  ['unknown metric', ac((i) => (i.metrics = { xp: 5 })), 'metrics', /unknown field\(s\) xp/],
  ['attempt 0', ac((i) => (i.attempt = 0)), 'attempt', /≥ 1/],
  ['fractional attempt', ac((i) => (i.attempt = 1.5)), 'attempt', /whole number/],
  ['process as a string', ac((i) => (i.process = 'yes')), 'process', /must be true or false/],
]

describe('bad input is rejected with the field path', () => {
  for (const [label, build, path, message] of badInputs) {
    it(label, () => {
      let error: unknown
      try {
        build()
      } catch (e) {
        error = e
      }
      expect(error, 'should throw').to.be.instanceOf(TimebackValidationError)
      expect(error).to.be.instanceOf(TypeError)
      const issues = (error as TimebackValidationError).issues
      const issue = issues.find((i) => i.path === path)
      expect(issue, `no issue at ${path}: ${(error as Error).message}`).to.exist
      expect(issue!.message).to.match(message)
      expect((error as Error).message).to.contain(path ? `${path}: ${issue!.message}` : issue!.message)
    })
  }

  it('names every bad field at once', () => {
    const input: any = timeSpent()
    input.actor.email = 'nope'
    input.object.subject = 'Maths'
    input.items = [{ type: 'active', value: -3 }]
    expect(() => buildTimeSpentEvent(input))
      .to.throw(TimebackValidationError)
      .with.property('message')
      .that.matches(/^buildTimeSpentEvent: /)
      .and.contains('actor.email: invalid email')
      .and.contains('object.subject: must be one of')
      .and.contains('items[0].value: must be a finite number ≥ 0')
  })
})

describe('event ids', () => {
  it('are random version-4 UUIDs also where crypto.randomUUID is missing (a plain-http page)', () => {
    const randomUUID = crypto.randomUUID
    Object.defineProperty(crypto, 'randomUUID', { configurable: true, value: undefined })
    try {
      const ids = Array.from({ length: 500 }, () => buildTimeSpentEvent(timeSpent()).id)
      for (const id of ids) expect(id).to.match(UUID_URN)
      expect(new Set(ids).size).to.equal(ids.length)
      // Every hex digit appears in the random positions, and every variant (8, 9, a, b).
      const random = ids.map((id) => id.slice(9).replace(/-/g, '')).join('')
      expect(new Set(random).size).to.equal(16)
      expect(new Set(ids.map((id) => id[9 + 19])).size).to.equal(4)
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { configurable: true, value: randomUUID })
    }
  })
})
