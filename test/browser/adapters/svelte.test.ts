// The Svelte 5 adapter, compiled by Svelte's compiler and mounted for real in the browser.
import { expect } from 'chai'
import { flushSync, mount, unmount } from 'svelte'
import { get } from 'svelte/store'
import type { Tracker } from '../../../src/index.js'
import { trackerSnapshot } from '../../../src/svelte/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, useTracker as useTestTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'
import Host from './svelte/Host.svelte'

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
