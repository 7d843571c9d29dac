// The Vue adapter, rendered for real in the browser.
import { expect } from 'chai'
import { createApp, defineComponent, h, KeepAlive, nextTick, ref, type App } from 'vue'
import type { ActivityTarget, Tracker } from '../../../src/index.js'
import { TimebackTracker, useActivity, useTracker, useTrackerSnapshot, type ActivityOptions } from '../../../src/vue/index.js'
import { settle } from '../support/fakeClock.js'
import { input } from '../support/page.js'
import { SECOND, actor, countStarts, lesson, reportedSeconds, sentEvents, useTracker as useTestTracker, work } from '../support/trackerHarness.js'
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

/** A component calling `useActivity(target, options)`, as an app writes it. */
const check = (options?: Tracker | ActivityOptions, target: ActivityTarget = lesson) =>
  defineComponent({
    setup() {
      const activity = useActivity(target, options)
      return () => h('p', activity.value?.status ?? 'none')
    },
  })

describe('Vue adapter: useActivity(target, options), completion only', () => {
  const t = useTestTracker()
  let app: App | undefined
  let host: HTMLElement
  const mount = (render: () => ReturnType<typeof h>, plugin = true) => {
    app = createApp({ render })
    if (plugin) app.use(TimebackTracker, { tracker: t.tracker })
    app.mount(host)
  }
  const unmount = async () => {
    app?.unmount()
    app = undefined
    await settle()
  }
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    host.remove()
  })

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; a remount re-joins it', async () => {
    const starts = countStarts(t.tracker)
    const key = ref('a')
    const Check = check({ time: false })
    mount(() => h(Check, { key: key.value }))
    await settle()
    const activity = t.tracker.activity!
    expect(activity.status).to.equal('running')
    await work(t.clock, 90)
    key.value = 'b' // unmounted and mounted again in one patch, with the same options
    await nextTick()
    await settle()
    expect(t.tracker.activity).to.equal(activity)
    expect(starts).to.deep.equal([lesson.id])
    expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
    const result = await activity.complete({ totalQuestions: 1, correctQuestions: 1, xpEarned: 10 })
    expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
    await unmount()
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([['ActivityEvent', activity.runId]])
  })

  it('{ tracker, time: false } without the plugin: that tracker, no time; unmounting records nothing', async () => {
    const Check = check({ tracker: t.tracker, time: false })
    mount(() => h(Check), false)
    await settle()
    const activity = t.tracker.activity!
    expect(host.textContent).to.equal('running')
    await work(t.clock, 90)
    await unmount()
    expect(activity.status).to.equal('ended')
    expect(await t.tracker.queue()).to.deep.equal([])
    await t.tracker.flush()
    expect(await sentEvents(t.sink)).to.deep.equal([])
  })

  it('the old forms still measure time: useActivity(target) with the plugin, useActivity(target, tracker) without it', async () => {
    mount(() => h(Lesson))
    await settle()
    const first = t.tracker.activity!
    await work(t.clock, 12)
    await unmount()
    expect(first.status).to.equal('ended')
    const Positional = check(t.tracker, { ...lesson, id: 'https://app.example/lessons/8' })
    mount(() => h(Positional), false)
    await settle()
    const second = t.tracker.activity!
    expect(second.id).to.equal('https://app.example/lessons/8')
    await work(t.clock, 8)
    await unmount()
    expect(second.status).to.equal('ended')
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 20 })
    const runs = (await sentEvents(t.sink)).filter(([type]) => type === 'TimeSpentEvent').map(([, runId]) => runId)
    expect(new Set(runs)).to.deep.equal(new Set([first.runId, second.runId]))
  })

  it('other options in the same patch start another activity instead of re-joining', async () => {
    const starts = countStarts(t.tracker)
    const timed = ref(false)
    const [Check, Timed] = [check({ time: false }), check({ time: true })]
    mount(() => (timed.value ? h(Timed) : h(Check)))
    await settle()
    const first = t.tracker.activity!
    timed.value = true
    await nextTick()
    await settle()
    expect(first.status).to.equal('ended')
    expect(t.tracker.activity).to.not.equal(first)
    expect(starts).to.deep.equal([lesson.id, lesson.id])
    await work(t.clock, 12)
    await unmount()
    await t.tracker.flush()
    expect(await reportedSeconds(t.sink), 'the timed activity measured').to.deep.equal({ active: 12 })
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
