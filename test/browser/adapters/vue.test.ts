// The Vue adapter, rendered for real in the browser.
import { expect } from 'chai'
import { createApp, defineComponent, h, KeepAlive, nextTick, ref, type App } from 'vue'
import type { Tracker } from '../../../src/index.js'
import { TimebackTracker, useActivity, useTracker, useTrackerSnapshot } from '../../../src/vue/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, useTracker as useTestTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const Lesson = defineComponent({
  props: { id: { type: String, default: lesson.id } },
  setup(props) {
    const activity = useActivity({ ...lesson, id: props.id })
    const snapshot = useTrackerSnapshot()
    return () => h('p', { 'data-reason': snapshot.value?.activity?.state.reason ?? 'none' }, activity.value?.status ?? 'none')
  },
})

describe('Vue adapter', () => {
  const t = useTestTracker()
  let app: App | undefined
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    host.remove()
  })

  it('starts on mount, ends on unmount, reports the measured time once', async () => {
    app = createApp({ render: () => h(Lesson) }).use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    for (let i = 0; i < 12; i++) {
      input()
      await t.clock.tick(1 * SECOND)
    }
    app.unmount()
    app = undefined
    await settle()
    expect(activity.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 12 })
  })

  it('a remount in the same render (a re-keyed component) re-joins the running activity', async () => {
    const starts = countStarts(t.tracker)
    const key = ref('a')
    app = createApp({ render: () => h(Lesson, { key: key.value }) }).use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
    await settle()
    const first = t.tracker.activity!
    key.value = 'b' // Vue unmounts the old instance and mounts a new one in one patch
    await nextTick()
    await settle()
    expect(starts).to.deep.equal([lesson.id])
    expect(t.tracker.activity).to.equal(first)
    expect(first.status).to.equal('running')
  })

  it('KeepAlive: deactivating ends the activity, activating starts a new one', async () => {
    const which = ref<'lesson' | 'other'>('lesson')
    const Other = defineComponent({ render: () => h('div', 'other') })
    app = createApp({ render: () => h(KeepAlive, null, [which.value === 'lesson' ? h(Lesson, { key: 'l' }) : h(Other, { key: 'o' })]) }).use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
    await settle()
    const first = t.tracker.activity!
    which.value = 'other'
    await nextTick()
    await settle()
    expect(first.status).to.equal('ended')
    which.value = 'lesson'
    await nextTick()
    await settle()
    expect(t.tracker.activity).to.not.equal(first)
    expect(t.tracker.activity!.status).to.equal('running')
  })

  it('useTrackerSnapshot follows the live state', async () => {
    app = createApp({ render: () => h(Lesson) }).use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
    await settle()
    await t.clock.tick(61 * SECOND)
    await nextTick()
    expect(host.querySelector('p')!.dataset.reason).to.equal('idle')
  })

  it('useTrackerSnapshot after useActivity (the README order) shows the running activity at once', async () => {
    app = createApp({ render: () => h(Lesson) }).use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
    await settle()
    await nextTick()
    // No state change happens from here on until the idle timeout: the first reading must hold.
    expect(t.tracker.activity?.state.reason).to.equal('input')
    expect(host.querySelector('p')!.dataset.reason).to.equal('input')
  })
})

describe('Vue plugin that owns its tracker', () => {
  it('creates the tracker on install and destroys it with app.unmount()', async () => {
    const storeName = `test-vue-${Math.random().toString(36).slice(2)}`
    const host = document.createElement('div')
    document.body.append(host)
    let tracker: Tracker | undefined
    const Probe = defineComponent({
      setup() {
        tracker = useTracker()
        return () => h(Lesson)
      },
    })
    const app = createApp(Probe).use(TimebackTracker, { options: { endpoint: '/collect/vue', app: { name: 'Math App' }, actor, storeName, onError: () => {} } })
    app.mount(host)
    await waitFor(() => tracker?.activity?.status === 'running' && true, 'the activity to start')
    const activity = tracker!.activity!
    const { createTracker } = await import('../../../src/index.js')
    const another = () => createTracker({ endpoint: '/collect/vue', app: { name: 'A' }, actor, storeName })
    expect(another).to.throw(/already running/)
    app.unmount()
    host.remove()
    await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
    await another().destroy()
  })
})
