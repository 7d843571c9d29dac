/** @jsxImportSource solid-js */
// The Solid adapter: JSX compiled by Solid's own transform (babel-preset-solid), rendered for
// real in the browser.
import { expect } from 'chai'
import { createSignal, Show } from 'solid-js'
import { render } from 'solid-js/web'
import type { Tracker } from '../../../src/index.js'
import { TrackerProvider, useActivity, useTracker, useTrackerSnapshot } from '../../../src/solid/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, useTracker as useTestTracker } from '../support/trackerHarness.js'
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
