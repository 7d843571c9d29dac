// The React adapter, rendered for real (react-dom in the browser), under StrictMode.
import { expect } from 'chai'
import { createElement as h, StrictMode, type ReactElement } from 'react'
import { flushSync } from 'react-dom'
import { createRoot, hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import type { Activity, ActivityTarget, Tracker } from '../../../src/index.js'
import { TrackerProvider, useActivity, useTracker, useTrackerSnapshot, type ActivityOptions } from '../../../src/react/index.js'
import { useHost } from '../support/adapterCases.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, sentEvents, useTracker as useTestTracker, work } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

let root: Root
let host: HTMLElement
const render = (element: ReactElement) => flushSync(() => root.render(element))
/** A root in a fresh element (`host`) for each test; unmounted and removed after it. */
const useRoot = () =>
  useHost(
    (element) => {
      host = element
      root = createRoot(element)
    },
    () => flushSync(() => root.unmount()),
  )

function Lesson({ target, onActivity }: { target: ActivityTarget; onActivity?: (a: unknown) => void }) {
  const activity = useActivity(target)
  onActivity?.(activity)
  return h('p', { 'data-status': activity?.status ?? 'none' }, activity ? activity.id : 'waiting')
}

describe('React adapter', () => {
  const t = useTestTracker()
  useRoot()

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

  it('useTrackerSnapshot after useActivity (the README order) shows the running activity at once', async () => {
    function LessonWithStatus() {
      useActivity(lesson)
      const snapshot = useTrackerSnapshot()
      return h('span', null, snapshot?.activity?.state.reason ?? 'none')
    }
    render(h(TrackerProvider, { tracker: t.tracker }, h(LessonWithStatus)))
    await settle()
    // No state change happens from here on until the idle timeout: the first reading must hold.
    expect(t.tracker.activity?.state.reason).to.equal('input')
    expect(host.querySelector('span')!.textContent).to.equal('input')
  })
})

/** `useActivity(target, options)`: the second argument as an app writes it. */
function Check({ target = lesson, options }: { target?: ActivityTarget; options?: Tracker | ActivityOptions }) {
  const activity = useActivity(target, options)
  return h('p', { 'data-status': activity?.status ?? 'none' }, activity ? activity.id : 'waiting')
}

describe('React adapter: useActivity(target, options), completion only', () => {
  const t = useTestTracker()
  const provided = (...children: ReactElement[]) => h(StrictMode, null, h(TrackerProvider, { tracker: t.tracker }, ...children))
  useRoot()

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent (StrictMode: one start)', async () => {
    const starts = countStarts(t.tracker)
    render(provided(h(Check, { options: { time: false } })))
    await settle()
    expect(starts, 'started once').to.deep.equal([lesson.id])
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    await work(t.clock, 90)
    expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
    const result = await activity.complete({ totalQuestions: 1, correctQuestions: 1, xpEarned: 10 })
    expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
    render(provided())
    await settle()
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([['ActivityEvent', activity.runId]])
  })

  it('{ tracker, time: false } without a provider: that tracker, no time; unmounting records nothing', async () => {
    render(h(Check, { options: { tracker: t.tracker, time: false } }))
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    expect(host.querySelector('p')!.textContent).to.equal(lesson.id)
    await work(t.clock, 90)
    render(h('div'))
    await settle()
    expect(activity.status).to.equal('ended')
    expect(await t.tracker.queue()).to.deep.equal([])
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([])
  })

  it('the old forms still measure time: useActivity(target) under a provider, useActivity(target, tracker) without one', async () => {
    render(provided(h(Lesson, { target: lesson })))
    await settle()
    const first = t.tracker.activity!
    await work(t.clock, 12)
    render(h(Check, { target: { ...lesson, id: 'https://app.example/lessons/8' }, options: t.tracker }))
    await settle()
    expect(first.status).to.equal('ended')
    const second = t.tracker.activity!
    expect(second.id).to.equal('https://app.example/lessons/8')
    await work(t.clock, 8)
    render(h('div'))
    await settle()
    expect(second.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 20 })
    const runs = (await sentEvents(t.sink)).filter(([type]) => type === 'TimeSpentEvent').map(([, runId]) => runId)
    expect(new Set(runs)).to.deep.equal(new Set([first.runId, second.runId]))
  })

  it('options are part of the activity: equal ones keep it on re-render, others start another', async () => {
    const starts = countStarts(t.tracker)
    render(provided(h(Check, { options: { time: false } })))
    await settle()
    const check = t.tracker.activity!
    render(provided(h(Check, { options: { time: false } })))
    await settle()
    expect(t.tracker.activity, 'equal options, a new object').to.equal(check)
    render(provided(h(Check)))
    await settle()
    expect(check.status).to.equal('ended')
    const timed: Activity = t.tracker.activity!
    expect(timed).to.not.equal(check)
    render(provided(h(Check, { options: { time: true } })))
    await settle()
    expect(t.tracker.activity, '{ time: true } is the default').to.equal(timed)
    expect(starts).to.deep.equal([lesson.id, lesson.id])
    await work(t.clock, 12)
    render(provided())
    await settle()
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink), 'the timed activity measured').to.deep.equal({ active: 12 })
  })
})

describe('React adapter: provider that owns its tracker', () => {
  const options = (storeName: string, id = actor.id) => ({
    endpoint: '/collect/react',
    app: { name: 'Math App' },
    actor: { ...actor, id },
    storeName,
    onError: () => {},
  })
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    root = createRoot(host)
  })

  it('renders on the server, hydrates with no error, then tracks on the client', async () => {
    const storeName = `test-react-ssr-${Math.random().toString(36).slice(2)}`
    let tracker: Tracker | undefined
    function Probe() {
      tracker = useTracker()
      return null
    }
    function Status() {
      useActivity(lesson)
      return h('span', null, useTrackerSnapshot()?.activity?.state.reason ?? 'none')
    }
    const app = () => h(StrictMode, null, h(TrackerProvider, { options: options(storeName) }, h(Probe), h(Status)))
    host = document.createElement('div') // a container no root has touched
    document.body.append(host)
    host.innerHTML = renderToString(app())
    expect(host.textContent, 'server render').to.equal('none')
    expect(tracker, 'no tracker on the server').to.equal(undefined)
    const problems: unknown[] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => problems.push(args)
    try {
      const hydrated = hydrateRoot(host, app(), { onRecoverableError: (error) => problems.push(error) })
      await waitFor(() => host.textContent === 'input', 'the activity to show after hydration')
      expect(problems).to.deep.equal([])
      const activity = tracker!.activity!
      flushSync(() => hydrated.unmount())
      await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
    } finally {
      console.error = consoleError
      host.remove()
    }
  })

  it('a new student (actor) ends the running activity and continues with a new tracker', async () => {
    const storeName = `test-react-actor-${Math.random().toString(36).slice(2)}`
    const trackers: Tracker[] = []
    function Probe() {
      const tracker = useTracker()
      if (tracker && !trackers.includes(tracker)) trackers.push(tracker)
      return null
    }
    const renderFor = (id: string, onError: () => void) =>
      render(h(TrackerProvider, { options: { ...options(storeName, id), onError } }, h(Probe), h(Lesson, { target: lesson })))
    renderFor(actor.id, () => {})
    const first = await waitFor(() => trackers[0]?.activity?.status === 'running' && trackers[0], 'the first activity')
    const firstActivity = first.activity!
    // A re-render with equal options (new objects, a new inline callback) keeps the tracker.
    renderFor(actor.id, () => {})
    await settle()
    expect(trackers).to.have.length(1)
    renderFor('https://sis.example/users/456', () => {})
    const second = await waitFor(() => trackers[1]?.activity?.status === 'running' && trackers[1], 'a tracker for the new student')
    expect(firstActivity.status, "the first student's activity").to.equal('ended')
    expect(second.activity).to.not.equal(firstActivity)
    const events = (await second.queue()).map((r) => r.event as { actor: { id: string } })
    expect(events.every((e) => e.actor.id === 'https://sis.example/users/456')).to.equal(true)
    const activity = second.activity!
    flushSync(() => root.unmount())
    host.remove()
    await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
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
