/** @jsxImportSource solid-js */
// The Solid adapter: JSX compiled by Solid's own transform (babel-preset-solid), rendered for
// real in the browser.
import { expect } from 'chai'
import { batch, createSignal, Show } from 'solid-js'
import { render } from 'solid-js/web'
import type { ActivityTarget, Tracker } from '../../../src/index.js'
import { TrackerProvider, useActivity, useTracker, useTrackerSnapshot, type ActivityOptions } from '../../../src/solid/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, sentEvents, useTracker as useTestTracker, work } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

function Lesson() {
  const activity = useActivity({ ...lesson })
  const snapshot = useTrackerSnapshot()
  return <p data-reason={snapshot()?.activity?.state.reason ?? 'none'}>{activity()?.status ?? 'none'}</p>
}

describe('Solid adapter', () => {
  const t = useTestTracker()
  let host: HTMLElement
  let dispose: (() => void) | undefined
  const [show, setShow] = createSignal(true)
  const [key, setKey] = createSignal('a')
  const start = () => {
    dispose = render(
      () => (
        <TrackerProvider tracker={t.tracker}>
          <Show when={show()}>
            <Show when={key()} keyed>
              <Lesson />
            </Show>
          </Show>
        </TrackerProvider>
      ),
      host,
    )
  }
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    setShow(true)
    setKey('a')
  })
  afterEach(() => {
    dispose?.()
    dispose = undefined
    host.remove()
  })

  it('starts on mount, ends on cleanup, reports the measured time once', async () => {
    start()
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    expect(host.querySelector('p')!.textContent).to.equal('running')
    for (let i = 0; i < 12; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    setShow(false)
    await settle()
    expect(activity.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 12 })
  })

  it('a remount in the same update (a keyed Show) re-joins the running activity', async () => {
    const starts = countStarts(t.tracker)
    start()
    await settle()
    const first = t.tracker.activity!
    setKey('b')
    await settle()
    expect(starts).to.deep.equal([lesson.id])
    expect(t.tracker.activity).to.equal(first)
    expect(first.status).to.equal('running')
  })

  it('useTrackerSnapshot follows the live state, and is current when first read', async () => {
    start()
    await settle()
    await t.clock.tick(61 * SECOND)
    expect(host.querySelector('p')!.dataset.reason).to.equal('idle')
    input()
    await settle()
    let first: string | undefined
    const stop = render(() => {
      first = useTrackerSnapshot(t.tracker)()?.activity?.state.reason
      return null
    }, document.createElement('div'))
    stop()
    expect(first).to.equal('input')
  })
})

/** `useActivity(target, options)`: the second argument as an app writes it. */
let checksCreated = 0
function Check(props: { options: Tracker | ActivityOptions; target?: ActivityTarget }) {
  checksCreated++
  const activity = useActivity(props.target ?? lesson, props.options)
  return <p>{activity()?.status ?? 'none'}</p>
}

describe('Solid adapter: useActivity(target, options), completion only', () => {
  const t = useTestTracker()
  let host: HTMLElement
  let dispose: (() => void) | undefined
  const [show, setShow] = createSignal(true)
  const [key, setKey] = createSignal('a')
  const [options, setOptions] = createSignal<ActivityOptions>({ time: false })
  /** A TrackerProvider around a Check re-created for each key, given the options of then. */
  const start = () => {
    dispose = render(
      () => (
        <TrackerProvider tracker={t.tracker}>
          <Show when={show()}>
            <Show when={key()} keyed>
              <Check options={options()} />
            </Show>
          </Show>
        </TrackerProvider>
      ),
      host,
    )
  }
  const stop = async () => {
    dispose?.()
    dispose = undefined
    await settle()
  }
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    setShow(true)
    setKey('a')
    setOptions({ time: false })
  })
  afterEach(async () => {
    await stop()
    host.remove()
  })

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; a keyed remount re-joins it', async () => {
    const starts = countStarts(t.tracker)
    start()
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    await work(t.clock, 90)
    const created = checksCreated
    setKey('b')
    await settle()
    expect(checksCreated, 'the component was created again').to.equal(created + 1)
    expect(t.tracker.activity).to.equal(activity)
    expect(starts).to.deep.equal([lesson.id])
    expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
    const result = await activity.complete({ totalQuestions: 1, correctQuestions: 1, xpEarned: 10 })
    expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
    setShow(false)
    await settle()
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([['ActivityEvent', activity.runId]])
  })

  it('{ tracker, time: false } without a provider: that tracker, no time; cleanup records nothing', async () => {
    dispose = render(() => <Check options={{ tracker: t.tracker, time: false }} />, host)
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

  it('the old forms still measure time: useActivity(target) under a provider, useActivity(target, tracker) without one', async () => {
    dispose = render(() => <TrackerProvider tracker={t.tracker}><Lesson /></TrackerProvider>, host)
    await settle()
    const first = t.tracker.activity!
    await work(t.clock, 12)
    await stop()
    expect(first.status).to.equal('ended')
    dispose = render(() => <Check options={t.tracker} target={{ ...lesson, id: 'https://app.example/lessons/8' }} />, host)
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

  it('other options in the same update (a keyed remount) start another activity instead of re-joining', async () => {
    const starts = countStarts(t.tracker)
    start()
    await settle()
    const first = t.tracker.activity!
    batch(() => {
      setOptions({ time: true })
      setKey('b')
    })
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

describe('Solid TrackerProvider with options', () => {
  it('creates the tracker on mount and destroys it on cleanup', async () => {
    const storeName = `test-solid-${Math.random().toString(36).slice(2)}`
    const host = document.createElement('div')
    document.body.append(host)
    let tracker: Tracker | undefined
    const Probe = () => {
      const current = useTracker()
      return <>{(tracker = current(), null)}<Lesson /></>
    }
    const options = { endpoint: '/collect/solid', app: { name: 'Math App' }, actor, storeName, onError: () => {} }
    const dispose = render(() => <TrackerProvider options={options}><Probe /></TrackerProvider>, host)
    await waitFor(() => tracker?.activity?.status === 'running' && true, 'the activity to start')
    const activity = tracker!.activity!
    dispose()
    host.remove()
    await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
    const { createTracker } = await import('../../../src/index.js')
    await createTracker({ ...options }).destroy() // the name is free again
  })
})
