// The Vue adapter, rendered for real in the browser.
import { expect } from 'chai'
import { createApp, defineComponent, h, KeepAlive, nextTick, ref, shallowRef, type App, type Component, type VNode } from 'vue'
import type { ActivityTarget, Tracker } from '../../../src/index.js'
import { TimebackTracker, useActivity, useTracker, useTrackerSnapshot, type ActivityOptions } from '../../../src/vue/index.js'
import {
  aloneCompletionOnlyRecordsNothing,
  completionOnlyRejoins,
  measuresFromMountToUnmount,
  oldFormsMeasureTime,
  otherOptionsStartAnother,
  providerOwnsItsTracker,
  remountRejoins,
  useHost,
  type AdapterUi,
} from '../support/adapterCases.js'
import { settle } from '../support/fakeClock.js'
import { SECOND, lesson, useTracker as useTestTracker, type Harness } from '../support/trackerHarness.js'

const Lesson = defineComponent({
  props: { id: { type: String, default: lesson.id } },
  setup(props) {
    const activity = useActivity({ ...lesson, id: props.id })
    const snapshot = useTrackerSnapshot()
    return () => h('p', { 'data-reason': snapshot.value?.activity?.state.reason ?? 'none' }, activity.value?.status ?? 'none')
  },
})

/** A component calling `useActivity(target, options)`, as an app writes it. */
const check = (options?: Tracker | ActivityOptions, target: ActivityTarget = lesson) =>
  defineComponent({
    setup() {
      const activity = useActivity(target, options)
      return () => h('p', activity.value?.status ?? 'none')
    },
  })

interface VueUi extends AdapterUi {
  readonly host: HTMLElement
  /** An app rendering `render`, with the plugin given the tracker unless `plugin` is false. */
  mount(render: () => VNode, plugin?: boolean): void
}

/** The Vue app of each test, in a fresh element; unmounted after it. */
function useVueUi(t: Harness): VueUi {
  let host: HTMLElement
  let app: App | undefined
  const key = ref('a')
  const component = shallowRef<Component>(Lesson)
  const ui: VueUi = {
    get host() {
      return host
    },
    mount(render, plugin = true) {
      app = createApp({ render })
      if (plugin) app.use(TimebackTracker, { tracker: t.tracker })
      app.mount(host)
    },
    provided(options) {
      key.value = 'a'
      component.value = options ? check(options) : Lesson
      ui.mount(() => h(component.value, { key: key.value }))
    },
    alone(options, target) {
      const Check = check(options, target)
      ui.mount(() => h(Check), false)
    },
    async remount(options) {
      // Either way Vue unmounts the old instance and mounts a new one in one patch.
      if (options) component.value = check(options)
      else key.value = 'b'
      await nextTick()
    },
    async unmount() {
      app?.unmount()
      app = undefined
      await settle()
    },
    shown: () => host.textContent ?? '',
  }
  useHost(
    (element) => (host = element),
    () => {
      app?.unmount()
      app = undefined
    },
  )
  return ui
}

describe('Vue adapter', () => {
  const t = useTestTracker()
  const ui = useVueUi(t)

  it('starts on mount, ends on unmount, reports the measured time once', () => measuresFromMountToUnmount(t, ui))

  it('a remount in the same render (a re-keyed component) re-joins the running activity', () => remountRejoins(t, ui))

  it('KeepAlive: deactivating ends the activity, activating starts a new one', async () => {
    const which = ref<'lesson' | 'other'>('lesson')
    const Other = defineComponent({ render: () => h('div', 'other') })
    ui.mount(() => h(KeepAlive, null, [which.value === 'lesson' ? h(Lesson, { key: 'l' }) : h(Other, { key: 'o' })]))
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
    ui.provided()
    await settle()
    await t.clock.tick(61 * SECOND)
    await nextTick()
    expect(ui.host.querySelector('p')!.dataset.reason).to.equal('idle')
  })

  it('useTrackerSnapshot after useActivity (the README order) shows the running activity at once', async () => {
    ui.provided()
    await settle()
    await nextTick()
    // No state change happens from here on until the idle timeout: the first reading must hold.
    expect(t.tracker.activity?.state.reason).to.equal('input')
    expect(ui.host.querySelector('p')!.dataset.reason).to.equal('input')
  })
})

describe('Vue adapter: useActivity(target, options), completion only', () => {
  const t = useTestTracker()
  const ui = useVueUi(t)

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; a remount re-joins it', () =>
    completionOnlyRejoins(t, ui))

  it('{ tracker, time: false } without the plugin: that tracker, no time; unmounting records nothing', () =>
    aloneCompletionOnlyRecordsNothing(t, ui))

  it('the old forms still measure time: useActivity(target) with the plugin, useActivity(target, tracker) without it', () =>
    oldFormsMeasureTime(t, ui))

  it('other options in the same patch start another activity instead of re-joining', () => otherOptionsStartAnother(t, ui))
})

describe('Vue plugin that owns its tracker', () => {
  it('creates the tracker on install and destroys it with app.unmount()', () =>
    providerOwnsItsTracker('vue', (options, host, provides) => {
      const Probe = defineComponent({
        setup() {
          provides(useTracker())
          return () => h(Lesson)
        },
      })
      const app = createApp(Probe).use(TimebackTracker, { options })
      app.mount(host)
      return () => app.unmount()
    }))
})
