// Validation messages are the library's own, whatever else the process loads: zod's classic
// build installs English messages in the configuration every copy of zod shares.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import 'zod' // the classic build, as many apps (and Next.js projects) load it
import { buildTimeSpentEvent, validateEvent } from '../../src/events/index.js'

const now = Date.parse('2025-03-01T10:00:00Z')
const event = () =>
  JSON.parse(
    JSON.stringify(
      buildTimeSpentEvent({
        actor: { id: 'https://sis.example/users/1', email: 'student@example.com' },
        object: { id: 'https://app.example/lessons/7', subject: 'Math', app: { name: 'Math App' } },
        items: [{ type: 'active', value: 30 }],
        startDate: now - 30_000,
        endDate: now,
      }),
    ),
  )

const messages = (value: unknown) => {
  const result = validateEvent(value)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
}

describe('validation messages with zod classic loaded', () => {
  it('a wrong type is named as the library names it', () => {
    assert.deepEqual(messages({ ...event(), actor: { ...event().actor, email: 5 } }), ['actor.email: expected string, got number'])
  })
  it('a missing field is required; a wrong literal and an unknown field are said the same way', () => {
    const { profile, ...noProfile } = event()
    assert.equal(profile, 'TimebackProfile')
    assert.deepEqual(messages(noProfile), ['profile: is required'])
    assert.deepEqual(messages({ ...event(), action: 'Ran' }), ['action: must be "SpentTime"'])
    assert.deepEqual(messages({ ...event(), extra: 1 }), ['unknown field(s) extra'])
  })
  it('our own rules keep their words', () => {
    const e = event()
    e.generated.items[0].value = -1
    assert.deepEqual(messages(e), ['generated.items[0].value: must be a finite number ≥ 0'])
  })
})
