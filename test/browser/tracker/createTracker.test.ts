import { expect } from 'chai'
import { createTracker, TimebackValidationError, type TrackerOptions } from '../../../src/index.js'
import { collector } from '../support/collector.js'
import { settle } from '../support/fakeClock.js'
import { watchListeners } from '../support/listenerLedger.js'
import { input, randomId, setFocus } from '../support/page.js'
import { useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const SECOND = 1000
const actor = { id: 'https://sis.example/users/123', email: 'student@example.com' }
const lesson = { id: 'https://app.example/lessons/7', subject: 'Math' as const, activity: { name: 'Fractions quiz' } }

describe('createTracker', () => {
  const slot = useTrackerSlot()
  const make = (extra: Partial<TrackerOptions> = {}, endpoint = collector().url) => slot.create({ endpoint, ...extra })

  it('rejects bad options naming every bad field, and starts nothing', () => {
    const ledger = watchListeners()
    try {
      expect(() =>
        createTracker({
          endpoint: 'ftp://x',
          app: { name: '' },
          actor: { id: 'student-1', email: 'nope' },
          idleTimeoutMs: 10,
          storeName: `test-${randomId()}`,
        } as TrackerOptions),
      )
        .to.throw(TimebackValidationError)
        .with.property('message')
        .that.contains('endpoint: must be an http(s) URL')
        .and.contains('app.name: must not be empty')
        .and.contains('actor.id: must be an absolute URL')
        .and.contains('actor.email: invalid email')
        .and.contains('idleTimeoutMs: must be a whole number of ms ≥ 1000')
      expect(ledger.count(), 'a failed createTracker adds no listener').to.equal(0)
      expect(() => createTracker({ endpoint: '/x', app: { name: 'A' }, actor, colour: 'red' } as TrackerOptions))
        .to.throw(TimebackValidationError, 'createTracker: unknown field(s) colour')
      expect(slot.clock.scheduled, 'nor a timer').to.equal(0)
    } finally {
      ledger.restore()
    }
  })

  it('reports an activity: input, idle, completion — exact seconds, one ActivityEvent', async () => {
    const sink = collector()
    make({}, sink.url)
    const activity = slot.tracker!.startActivity(lesson)
    for (let i = 0; i < 30; i++) {
      await slot.clock.tick(1 * SECOND)
      input()
    }
    // 30 s of input, then idle: active until 90 s, then inactive.
    await slot.clock.tick(100 * SECOND)
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'idle' })
    const result = await activity.complete({ totalQuestions: 10, correctQuestions: 9, xpEarned: 150 }, { attempt: 1 })
    expect(result.recorded).to.equal(true)
    const requests = await waitFor(async () => {
      const r = await sink.received()
      const ids = new Set(r.flatMap((x) => x.ids))
      return result.recorded && result.eventIds.every((id) => ids.has(id)) && r
    }, 'all events delivered')
    const events = requests.flatMap((r) => r.envelope.data)
    const spent = events.filter((e) => e.type === 'TimeSpentEvent')
    const sum = (type: string) =>
      spent.flatMap((e) => e.generated.items).filter((i: any) => i.type === type).reduce((a: number, i: any) => a + i.value, 0)
    expect(sum('active')).to.equal(90)
    expect(sum('inactive')).to.equal(40)
    const completed = events.filter((e) => e.type === 'ActivityEvent')
    expect(completed).to.have.length(1)
    expect(completed[0]!.generated.items).to.deep.equal([
      { type: 'totalQuestions', value: 10 },
      { type: 'correctQuestions', value: 9 },
      { type: 'xpEarned', value: 150 },
    ])
    expect(completed[0]!.generated.attempt).to.equal(1)
    expect(completed[0]!.object).to.deep.include({ id: lesson.id, subject: 'Math', app: { name: 'Math App' }, activity: { name: 'Fractions quiz' } })
    expect(requests.every((r) => r.contentType.startsWith('application/json'))).to.equal(true)
    await waitFor(() => slot.tracker!.snapshot().queue.pending === 0, 'queue drained')
  })

  it('a second complete() (or one after end()) sends nothing and says why', async () => {
    make()
    const activity = slot.tracker!.startActivity(lesson)
    await slot.clock.tick(5 * SECOND)
    const first = await activity.complete({ xpEarned: 10 })
    const second = await activity.complete({ xpEarned: 10 })
    expect(first.recorded).to.equal(true)
    expect(second).to.deep.equal({ recorded: false, reason: 'the activity is already completed; nothing was sent' })
    const other = slot.tracker!.startActivity(lesson)
    await other.end()
    expect(await other.complete({ xpEarned: 1 })).to.include({ recorded: false })
  })

  it('rejects bad metrics naming the fields, and stores nothing', async () => {
    make()
    const activity = slot.tracker!.startActivity(lesson)
    await slot.clock.tick(5 * SECOND)
    const error = await activity.complete({ totalQuestions: 3, correctQuestions: 4 }, { attempt: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(TimebackValidationError)
    expect((error as Error).message).to.contain('metrics.correctQuestions: must not exceed totalQuestions').and.contain('attempt: must be a whole number ≥ 1')
    expect(activity.status).to.equal('running')
    expect(slot.tracker!.snapshot().queue.pending).to.equal(0)
  })

  it('starting a second activity ends the first, so time is never counted twice', async () => {
    make()
    const first = slot.tracker!.startActivity(lesson)
    await slot.clock.tick(10 * SECOND)
    const second = slot.tracker!.startActivity({ ...lesson, id: 'https://app.example/lessons/8' })
    expect(first.status).to.equal('ended')
    expect(slot.tracker!.activity).to.equal(second)
    await slot.clock.tick(5 * SECOND)
    expect(first.totals.active).to.equal(10 * SECOND)
    expect(second.totals.active).to.equal(5 * SECOND)
  })

  it('rejects a bad activity target naming the fields', () => {
    make()
    expect(() => slot.tracker!.startActivity({ id: 'lesson 7', subject: 'Maths' } as never))
      .to.throw(TimebackValidationError)
      .with.property('message')
      .that.contains('startActivity: id: must be an absolute URL')
      .and.contains('subject: must be one of')
    expect(slot.tracker!.activity).to.equal(undefined)
  })

  it('refuses a second live tracker for the same store', () => {
    const storeName = `test-${randomId()}`
    make({ storeName })
    expect(() => createTracker({ endpoint: '/x', app: { name: 'A' }, actor, storeName })).to.throw(/already running/)
  })

  it('destroy() ends the activity, flushes, and leaves no listener or timer behind', async () => {
    const sink = collector()
    const ledger = watchListeners()
    try {
      make({}, sink.url)
      const activity = slot.tracker!.startActivity(lesson)
      await slot.clock.tick(3 * SECOND)
      input()
      await slot.clock.tick(3 * SECOND)
      expect(ledger.count()).to.be.greaterThan(5)
      expect(slot.clock.pending()).to.be.greaterThan(0)
      await slot.tracker!.destroy()
      expect(activity.status).to.equal('ended')
      expect(ledger.types(), 'listeners left').to.deep.equal([])
      await settle()
      expect(slot.clock.pending(), 'timers left').to.equal(0)
      const counts = await sink.deliveredCounts()
      expect(counts.size).to.be.greaterThan(0)
    } finally {
      ledger.restore()
    }
  })

  it('sends the headers() hook’s headers with each POST; a throwing hook is a retried delivery', async () => {
    const sink = collector()
    let calls = 0
    let fail = false
    make(
      {
        headers: () => {
          calls++
          if (fail) {
            fail = false
            throw new Error('no token yet')
          }
          return { 'x-csrf-token': `token-${calls}` }
        },
      },
      sink.url,
    )
    // The tracker's first flush finds nothing to send and asks for a delivery token (issue 22):
    // the hook throws for the first POST that carries events.
    await waitFor(() => calls > 0, 'the token request')
    const activity = slot.tracker!.startActivity(lesson)
    await slot.clock.tick(5 * SECOND)
    fail = true
    const result = await activity.end()
    await waitFor(() => slot.errors.some((e) => (e as { code?: string }).code === 'delivery-failed'), 'the failed attempt')
    const failedAt = calls
    await slot.clock.tick(2 * SECOND) // the first backoff is at most 1 s
    const requests = await waitFor(async () => {
      const r = await sink.received()
      return r.length > 0 && r
    }, 'a request')
    expect(requests[0]!.csrfToken).to.equal(`token-${failedAt + 1}`)
    expect(requests[0]!.ids).to.deep.equal(result.recorded ? result.eventIds : [])
  })

  it('publishes state changes to subscribers', async () => {
    make({ idleTimeoutMs: 10 * SECOND })
    const seen: string[] = []
    slot.tracker!.subscribe((s) => s.activity && seen.push(`${s.activity.state.bucket}:${s.activity.state.reason}`))
    slot.tracker!.startActivity(lesson)
    await slot.clock.tick(12 * SECOND)
    input()
    await slot.clock.tick(1 * SECOND)
    setFocus(false)
    await slot.clock.tick(1 * SECOND)
    expect(seen).to.include.members(['active:input', 'inactive:idle', 'inactive:blurred'])
    expect(seen.indexOf('inactive:idle')).to.be.lessThan(seen.lastIndexOf('active:input'))
  })
})
