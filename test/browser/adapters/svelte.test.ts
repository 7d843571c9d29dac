// The Svelte 5 adapter, compiled by Svelte's compiler and mounted for real in the browser.
import { expect } from 'chai'
import { flushSync, mount, unmount } from 'svelte'
import { get } from 'svelte/store'
import type { Tracker } from '../../../src/index.js'
import type { ActivityOptions } from '../../../src/svelte/index.js'
import { trackerSnapshot } from '../../../src/svelte/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, sentEvents, useTracker as useTestTracker, work } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'
import Host from './svelte/Host.svelte'
import Lesson from './svelte/Lesson.svelte'

describe('Svelte adapter', () => {
  const t = useTestTracker()
  let host: HTMLElement
  let app: { change(next: { show?: boolean; key?: string }): void } | undefined
  const start = () => {
    app = mount(Host, { target: host, props: { config: { tracker: t.tracker } } }) as never
    flushSync()
  }
  const change = (next: { show?: boolean; key?: string }) => {
    app!.change(next)
    flushSync()
  }
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
  })
  afterEach(() => {
    if (app) void unmount(app)
    app = undefined
    host.remove()
  })

  it('starts on mount, ends on unmount, reports the measured time once', async () => {
    start()
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    expect(host.querySelector('p')!.textContent).to.equal('running')
    for (let i = 0; i < 12; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    change({ show: false })
    await settle()
    expect(activity.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 12 })
  })

  it('a remount in the same update ({#key}) re-joins the running activity', async () => {
    const starts = countStarts(t.tracker)
    start()
    await settle()
    const first = t.tracker.activity!
    change({ key: 'b' })
    await settle()
    expect(starts).to.deep.equal([lesson.id])
    expect(t.tracker.activity).to.equal(first)
    expect(first.status).to.equal('running')
  })

  it('the snapshot store follows the live state, and is current when first read', async () => {
    start()
    await settle()
    await t.clock.tick(61 * SECOND)
    flushSync()
    expect(host.querySelector('p')!.dataset.reason).to.equal('idle')
    // A store read for the first time long after it was created reads the tracker then.
    const late = trackerSnapshot(t.tracker)
    input()
    await settle()
    expect(get(late)!.activity!.state.reason).to.equal('input')
  })
})

describe('Svelte adapter: trackActivity(target, options), completion only', () => {
  const t = useTestTracker()
  let host: HTMLElement
  let app: Record<string, any> | undefined
  /** The Host (provideTracker({ tracker }) around a Lesson), the lesson given `lessonOptions`. */
  const start = (lessonOptions?: ActivityOptions) => {
    app = mount(Host, { target: host, props: { config: { tracker: t.tracker }, lessonOptions } })
    flushSync()
  }
  /** A Lesson alone (no provideTracker), given trackActivity's second argument. */
  const alone = (options: Tracker | ActivityOptions, id = lesson.id) => {
    app = mount(Lesson, { target: host, props: { options, id } })
    flushSync()
  }
  const change = (next: { show?: boolean; key?: string; options?: ActivityOptions }) => {
    app!.change(next)
    flushSync()
  }
  const stop = async () => {
    if (app) await unmount(app)
    app = undefined
    await settle()
  }
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
  })
  afterEach(async () => {
    await stop()
    host.remove()
  })

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; {#key} re-joins it', async () => {
    const starts = countStarts(t.tracker)
    start({ time: false })
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    await work(t.clock, 90)
    change({ key: 'b' })
    await settle()
    expect(t.tracker.activity).to.equal(activity)
    expect(starts).to.deep.equal([lesson.id])
    expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
    const result = await activity.complete({ totalQuestions: 1, correctQuestions: 1, xpEarned: 10 })
    expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
    await stop()
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([['ActivityEvent', activity.runId]])
  })

  it('{ tracker, time: false } without provideTracker: that tracker, no time; destroying records nothing', async () => {
    alone({ tracker: t.tracker, time: false })
    await settle()
    const activity = t.tracker.activity!
    expect(host.querySelector('p')!.textContent).to.equal('running')
    await work(t.clock, 90)
    await stop()
    expect(activity.status).to.equal('ended')
    expect(await t.tracker.queue()).to.deep.equal([])
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([])
  })

  it('the old forms still measure time: trackActivity(target) under provideTracker, trackActivity(target, tracker) without it', async () => {
    start()
    await settle()
    const first = t.tracker.activity!
    await work(t.clock, 12)
    await stop()
    expect(first.status).to.equal('ended')
    alone(t.tracker, 'https://app.example/lessons/8')
    await settle()
    const second = t.tracker.activity!
    expect(second.id).to.equal('https://app.example/lessons/8')
    await work(t.clock, 8)
    await stop()
    expect(second.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 20 })
    const runs = (await sentEvents(t.sink)).filter(([type]) => type === 'TimeSpentEvent').map(([, runId]) => runId)
    expect(new Set(runs)).to.deep.equal(new Set([first.runId, second.runId]))
  })

  it('other options in the same update ({#key}) start another activity instead of re-joining', async () => {
    const starts = countStarts(t.tracker)
    start({ time: false })
    await settle()
    const first = t.tracker.activity!
    change({ key: 'b', options: { time: true } })
    await settle()
    expect(first.status).to.equal('ended')
    expect(t.tracker.activity).to.not.equal(first)
    expect(starts).to.deep.equal([lesson.id, lesson.id])
    await work(t.clock, 12)
    await stop()
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink), 'the timed activity measured').to.deep.equal({ active: 12 })
  })
})

describe('Svelte provideTracker({ options })', () => {
  it('creates the tracker on mount and destroys it with the component', async () => {
    const storeName = `test-svelte-${Math.random().toString(36).slice(2)}`
    const host = document.createElement('div')
    document.body.append(host)
    let tracker: Tracker | undefined
    const options = { endpoint: '/collect/svelte', app: { name: 'Math App' }, actor, storeName, onError: () => {} }
    const app = mount(Host, { target: host, props: { config: { options }, onTracker: (t: Tracker | undefined) => (tracker = t) } })
    flushSync()
    await waitFor(() => tracker?.activity?.status === 'running' && true, 'the activity to start')
    const activity = tracker!.activity!
    await unmount(app)
    host.remove()
    await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
    const { createTracker } = await import('../../../src/index.js')
    await createTracker({ ...options }).destroy() // the name is free again
  })
})
