// Runs: one attempt at an activity, named by activity.runId on every event of it; resumed by
// the app (runId) or, within hiddenTimeoutMs, by a reload or a crash; completion-only activities.
import { expect } from 'chai'
import { createTracker, type Tracker } from '../../../src/index.js'
import { collector, type Collector } from '../support/collector.js'
import { expectAllDelivered } from '../support/delivered.js'
import { installFakeClock, type FakeClock } from '../support/fakeClock.js'
import { openTrackerFrame, reloadFrame, type FrameHarness } from '../support/frames.js'
import { input, randomId } from '../support/page.js'
import { MINUTE, SECOND, actor, lesson, useTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const DAY = 24 * 3600 * SECOND

/** Every distinct event that reached the collector. */
async function eventsAt(sink: Collector): Promise<Array<Record<string, any>>> {
  const byId = new Map<string, Record<string, any>>()
  for (const request of await sink.received()) for (const event of request.envelope.data) byId.set(event.id, event)
  return [...byId.values()]
}

async function work(tab: FrameHarness, seconds: number) {
  for (let i = 0; i < seconds; i++) {
    tab.input()
    await tab.clock!.tick(1 * SECOND)
  }
}

describe('runs', () => {
  const t = useTracker()

  it('every event of a run carries its id; the completion is one event whose id is the run id', async () => {
    const activity = t.tracker.startActivity(lesson)
    expect(activity.runId).to.match(/^urn:uuid:[0-9a-f-]{36}$/)
    for (let i = 0; i < 70; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    const result = await activity.complete({ xpEarned: 10 })
    await t.tracker.flush()
    const events = await eventsAt(t.sink)
    expect(events.map((e) => e.type).sort()).to.deep.equal(['ActivityEvent', 'TimeSpentEvent', 'TimeSpentEvent'])
    for (const event of events) expect(event.extensions, event.type).to.deep.equal({ runId: activity.runId })
    expect(events.find((e) => e.type === 'ActivityEvent')!.id).to.equal(activity.runId)
    expect(result.recorded && result.eventIds).to.include(activity.runId)
  })

  it('starting the same activity again continues its run; after complete() a new run begins', async () => {
    const first = t.tracker.startActivity(lesson)
    await first.end()
    const again = t.tracker.startActivity(lesson)
    expect(again.runId).to.equal(first.runId)
    const other = t.tracker.startActivity({ ...lesson, id: 'https://app.example/lessons/8' })
    expect(other.runId).to.not.equal(first.runId)
    const back = t.tracker.startActivity(lesson)
    expect(back.runId, 'only the latest run is continued').to.not.equal(first.runId)
    await back.complete({ xpEarned: 1 })
    expect(t.tracker.startActivity(lesson).runId).to.not.equal(back.runId)
  })

  it('resumes a saved run: startActivity({ ...target, runId })', async () => {
    const runId = 'urn:uuid:2f0a3b8e-5d1c-4e7a-9b3f-6c2d1e0f9a8b'
    const activity = t.tracker.startActivity({ ...lesson, runId })
    expect(activity.runId).to.equal(runId)
    input()
    await t.clock.tick(3 * SECOND)
    await activity.complete({ xpEarned: 5 })
    await t.tracker.flush()
    const events = await eventsAt(t.sink)
    expect(events.map((e) => [e.type, e.id === runId, e.extensions.runId]).sort()).to.deep.equal([
      ['ActivityEvent', true, runId],
      ['TimeSpentEvent', false, runId],
    ])
  })

  it('with localStorage blocked (a sandboxed frame), runs just do not carry over', async () => {
    const own = Object.getOwnPropertyDescriptor(window, 'localStorage')
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    })
    try {
      const first = t.tracker.startActivity(lesson)
      input()
      await t.clock.tick(61 * SECOND) // a slice is stored, which notes the run
      await first.end()
      expect(t.tracker.startActivity(lesson).runId).to.not.equal(first.runId)
      expect(t.errors).to.deep.equal([])
    } finally {
      if (own) Object.defineProperty(window, 'localStorage', own)
      else delete (window as { localStorage?: Storage }).localStorage
    }
  })

  it('refuses a run id that is not urn:uuid and unknown start options, naming each', () => {
    expect(() => t.tracker.startActivity({ ...lesson, runId: 'run-7' })).to.throw(TypeError, 'startActivity: runId: must be urn:uuid:<uuid>')
    expect(() => t.tracker.startActivity(lesson, { time: 'no' } as never)).to.throw(TypeError, 'startActivity options: time: must be true or false')
    expect(() => t.tracker.startActivity(lesson, { timed: false } as never)).to.throw(TypeError, 'startActivity options: unknown field(s) timed')
    expect(t.tracker.activity).to.equal(undefined)
  })
})

describe('completion-only activities: startActivity(target, { time: false })', () => {
  const t = useTracker()

  it('records no TimeSpentEvent, runs no timer, and complete() sends only the ActivityEvent', async () => {
    const timersBefore = t.clock.pending()
    const activity = t.tracker.startActivity(lesson, { time: false })
    expect(t.clock.pending(), 'no timer armed').to.equal(timersBefore)
    for (let i = 0; i < 90; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
    const result = await activity.complete({ xpEarned: 20, totalQuestions: 1, correctQuestions: 1 })
    expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
    await t.tracker.flush()
    const events = await eventsAt(t.sink)
    expect(events.map((e) => [e.type, e.extensions.runId])).to.deep.equal([['ActivityEvent', activity.runId]])
  })
})

describe('runs across page loads', function () {
  // Each test loads other pages (frames); under a loaded machine Firefox takes seconds per load.
  this.timeout(60_000)
  const trackers: Tracker[] = []
  let clock: FakeClock
  beforeEach(() => (clock = installFakeClock()))
  afterEach(async () => {
    clock.uninstall()
    await Promise.all(trackers.splice(0).map((tr) => tr.destroy()))
    document.querySelectorAll('iframe').forEach((f) => f.remove())
  })

  it('a reload continues the run; complete() on the new page sends one ActivityEvent for it', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    let tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true })
    const runId = tab.activity!.runId
    await work(tab, 8)
    tab = await reloadFrame(tab)
    expect(tab.activity!.runId).to.equal(runId)
    await work(tab, 6)
    await tab.activity!.complete({ xpEarned: 30 })
    await tab.tracker.flush()
    const events = await eventsAt(sink)
    expect(events.filter((e) => e.type === 'ActivityEvent').map((e) => e.id)).to.deep.equal([runId])
    expect(events.filter((e) => e.type === 'TimeSpentEvent').length, 'a slice from each page').to.equal(2)
    expect(events.every((e) => e.extensions.runId === runId)).to.equal(true)
    await tab.tracker.destroy()
  })

  it('crash + reload: the recovered checkpoint and the new page’s time belong to the same run', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const crashed = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true, crash: true })
    const runId = crashed.activity!.runId
    await work(crashed, 7)
    const open = await waitFor(async () => (await crashed.tracker.queue()).find((r) => r.open), 'an open checkpoint')
    crashed.frame.remove() // dies without pagehide

    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true })
    expect(tab.activity!.runId).to.equal(runId)
    await work(tab, 4)
    await tab.activity!.end()
    tab.clock!.shiftWall(2 * MINUTE) // past the crashed page's promise to write again
    await expectAllDelivered(sink, [open.id], () => tab.tracker.flush())
    const events = await eventsAt(sink)
    expect(events.length).to.equal(2)
    expect(events.map((e) => e.extensions.runId)).to.deep.equal([runId, runId])
    await tab.tracker.destroy()
  })

  it('another day: a new run by default; the saved run id resumes it', async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    const monday = await openTrackerFrame({ store: storeName, endpoint: sink.url, start: true, fakeClock: true })
    const runId = monday.activity!.runId
    await work(monday, 5)
    const ended = await monday.activity!.end()
    monday.frame.remove()

    clock.jump(DAY) // this page, same origin and store: Tuesday
    const tuesday = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName, onError: () => {} })
    trackers.push(tuesday)
    expect(tuesday.startActivity(lesson).runId, 'a day later the run is not continued by itself').to.not.equal(runId)
    const resumed = tuesday.startActivity({ ...lesson, runId })
    expect(resumed.runId).to.equal(runId)
    for (let i = 0; i < 5; i++) {
      input()
      await clock.tick(1 * SECOND)
    }
    const completed = await resumed.complete({ xpEarned: 40 })
    const ids = [ended, completed].flatMap((r) => (r.recorded ? r.eventIds : []))
    await expectAllDelivered(sink, ids, () => tuesday.flush())
    const events = (await eventsAt(sink)).filter((e) => e.extensions.runId === runId)
    expect(events.filter((e) => e.type === 'TimeSpentEvent').length, 'Monday’s and Tuesday’s time').to.equal(2)
    expect(events.filter((e) => e.type === 'ActivityEvent').map((e) => e.id)).to.deep.equal([runId])
  })

  it('a run completed on two devices is one event to the proxy', async () => {
    const sink = collector()
    const runId = 'urn:uuid:6a1d0c3e-2b4f-4e8a-9c7d-1f0e2d3c4b5a'
    for (const device of ['laptop', 'tablet']) {
      const tracker = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: `test-${device}-${randomId()}`, onError: () => {} })
      trackers.push(tracker)
      const result = await tracker.startActivity({ ...lesson, runId }, { time: false }).complete({ xpEarned: 40 })
      expect(result).to.deep.equal({ recorded: true, eventIds: [runId] })
      await tracker.flush()
    }
    expect((await sink.deliveredCounts()).get(runId), 'sent by both, under one id').to.equal(2)
    expect((await eventsAt(sink)).length, 'one event').to.equal(1)
  })

  it('another student on the same browser starts a run of their own', async () => {
    const storeName = `test-${randomId()}`
    const options = { endpoint: collector().url, app: { name: 'Math App' }, storeName, onError: () => {} }
    const first = createTracker({ ...options, actor })
    const runId = first.startActivity(lesson).runId
    await first.destroy()
    const second = createTracker({ ...options, actor: { id: 'https://sis.example/users/456', email: 'other@example.com' } })
    trackers.push(second)
    expect(second.startActivity(lesson).runId).to.not.equal(runId)
  })
})

describe('a long session', () => {
  const t = useTracker()

  it('keeps at most 500 timeline stretches, the newest (9.11: memory does not grow with time)', async function () {
    this.timeout(120_000) // 520 fake-clock ticks, each waiting for the page's storage work
    const activity = t.tracker.startActivity(lesson)
    for (let i = 0; i < 260; i++) {
      activity.mark('waste', 'off-task')
      await t.clock.tick(1 * SECOND)
      activity.unmark()
      input()
      await t.clock.tick(1 * SECOND)
    }
    const timeline = activity.timeline()
    expect(timeline).to.have.length(500)
    expect(timeline.at(-1)!.end - timeline[0]!.start).to.be.lessThan(520 * SECOND)
    expect(timeline.at(-1)).to.include({ bucket: 'active' })
  })
})
