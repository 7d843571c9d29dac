// The React adapter, rendered for real (react-dom in the browser), under StrictMode.
import { expect } from 'chai'
import { createElement as h, StrictMode, type ReactElement } from 'react'
import { flushSync } from 'react-dom'
import { createRoot, type Root } from 'react-dom/client'
import type { ActivityTarget, Tracker } from '../../../src/index.js'
import { TrackerProvider, useActivity, useTracker, useTrackerSnapshot } from '../../../src/react/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, useTracker as useTestTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

let root: Root
let host: HTMLElement
const render = (element: ReactElement) => flushSync(() => root.render(element))

function Lesson({ target, onActivity }: { target: ActivityTarget; onActivity?: (a: unknown) => void }) {
  const activity = useActivity(target)
  onActivity?.(activity)
  return h('p', { 'data-status': activity?.status ?? 'none' }, activity ? activity.id : 'waiting')
}

describe('React adapter', () => {
  const t = useTestTracker()
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    root = createRoot(host)
  })
  afterEach(() => {
    flushSync(() => root.unmount())
    host.remove()
  })

  it('StrictMode double mount: one activity, one continuous measurement, no duplicate events', async () => {
    const starts = countStarts(t.tracker)
    render(h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: lesson }))))
    await settle()
    expect(starts, 'started once').to.deep.equal([lesson.id])
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    for (let i = 0; i < 20; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    flushSync(() => root.render(h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker }))))
    await settle()
    expect(activity.status).to.equal('ended')
    expect(activity.totals.active).to.equal(20 * SECOND)
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 20 })
    const counts = await t.sink.deliveredCounts()
    expect([...counts.values()].every((n) => n === 1)).to.equal(true)
  })

  it('re-rendering with an equal target keeps the activity; a new target ends it and starts another', async () => {
    const starts = countStarts(t.tracker)
    render(h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: { ...lesson } })))
    await settle()
    const first = t.tracker.activity!
    render(h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: { ...lesson } })))
    await settle()
    expect(t.tracker.activity).to.equal(first)
    render(h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: { ...lesson, id: 'https://app.example/lessons/8' } })))
    await settle()
    expect(first.status).to.equal('ended')
    expect(starts).to.deep.equal([lesson.id, 'https://app.example/lessons/8'])
    expect(host.querySelector('p')!.textContent).to.equal('https://app.example/lessons/8')
  })

  it('a completion from a component is sent once', async () => {
    let activity: { complete: (m: object) => Promise<unknown> } | undefined
    render(h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: lesson, onActivity: (a) => (activity = a as never) }))))
    await settle()
    input()
    await t.clock.tick(5 * SECOND)
    await activity!.complete({ xpEarned: 150 })
    await activity!.complete({ xpEarned: 150 })
    render(h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker })))
    await settle()
    await t.tracker.flush()
    const events = (await t.sink.received()).flatMap((r) => r.envelope.data)
    expect(events.filter((e) => e.type === 'ActivityEvent')).to.have.length(1)
  })

  it('useTrackerSnapshot re-renders with the live state', async () => {
    const seen: string[] = []
    function Status() {
      const snapshot = useTrackerSnapshot()
      const state = snapshot?.activity?.state
      if (state) seen.push(`${state.bucket}:${state.reason}`)
      return h('span', null, state ? state.reason : 'none')
    }
    render(h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker }, h(Lesson, { target: lesson }), h(Status))))
    await settle()
    await t.clock.tick(61 * SECOND)
    await settle()
    expect(seen).to.include('inactive:idle')
    expect(host.querySelector('span')!.textContent).to.equal('idle')
  })
})

describe('React adapter: provider that owns its tracker', () => {
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    root = createRoot(host)
  })

  it('creates one tracker under StrictMode and destroys it on unmount', async () => {
    const storeName = `test-react-${Math.random().toString(36).slice(2)}`
    const trackers: Array<Tracker | undefined> = []
    function Probe() {
      trackers.push(useTracker())
      return null
    }
    render(h(StrictMode, null, h(TrackerProvider, { options: { endpoint: '/collect/react', app: { name: 'Math App' }, actor, storeName, onError: () => {} } }, h(Probe), h(Lesson, { target: lesson }))))
    const tracker = await waitFor(() => trackers.filter(Boolean).pop(), 'a tracker')
    await waitFor(() => tracker.activity?.status === 'running' && true, 'the activity to start')
    // StrictMode created and destroyed an extra one; one is live now, holding the store name.
    const { createTracker } = await import('../../../src/index.js')
    const another = () => createTracker({ endpoint: '/collect/react', app: { name: 'A' }, actor, storeName })
    expect(another).to.throw(/already running/)
    const activity = tracker.activity!
    flushSync(() => root.unmount())
    host.remove()
    await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
    // …and unmounting destroyed it: the store name is free again.
    await another().destroy()
  })
})
