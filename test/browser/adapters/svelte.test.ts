// The Svelte 5 adapter, compiled by Svelte's compiler and mounted for real in the browser.
import { expect } from 'chai'
import { flushSync, mount, unmount } from 'svelte'
import { get } from 'svelte/store'
import { trackerSnapshot } from '../../../src/svelte/index.js'
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
import { input } from '../support/page.js'
import { SECOND, lesson, useTracker as useTestTracker, type Harness } from '../support/trackerHarness.js'
import Host from './svelte/Host.svelte'
import Lesson from './svelte/Lesson.svelte'

interface SvelteUi extends AdapterUi {
  readonly host: HTMLElement
}

/**
 * The components of each test, in a fresh element; destroyed after it. Provided: the Host
 * (provideTracker({ tracker }) around a Lesson, {#key}ed); alone: a Lesson by itself.
 */
function useSvelteUi(t: Harness): SvelteUi {
  let host: HTMLElement
  let app: Record<string, any> | undefined
  const ui: SvelteUi = {
    get host() {
      return host
    },
    provided(lessonOptions) {
      app = mount(Host, { target: host, props: { config: { tracker: t.tracker }, lessonOptions } })
      flushSync()
    },
    alone(options, target = lesson) {
      app = mount(Lesson, { target: host, props: { options, id: target.id } })
      flushSync()
    },
    remount(options) {
      app!.change(options ? { key: 'b', options } : { key: 'b' })
      flushSync()
    },
    async unmount() {
      if (app) await unmount(app)
      app = undefined
      await settle()
    },
    shown: () => host.querySelector('p')!.textContent ?? '',
  }
  useHost((element) => (host = element), ui.unmount)
  return ui
}

describe('Svelte adapter', () => {
  const t = useTestTracker()
  const ui = useSvelteUi(t)

  it('starts on mount, ends on unmount, reports the measured time once', () => measuresFromMountToUnmount(t, ui))

  it('a remount in the same update ({#key}) re-joins the running activity', () => remountRejoins(t, ui))

  it('the snapshot store follows the live state, and is current when first read', async () => {
    ui.provided()
    await settle()
    await t.clock.tick(61 * SECOND)
    flushSync()
    expect(ui.host.querySelector('p')!.dataset.reason).to.equal('idle')
    // A store read for the first time long after it was created reads the tracker then.
    const late = trackerSnapshot(t.tracker)
    input()
    await settle()
    expect(get(late)!.activity!.state.reason).to.equal('input')
  })
})

describe('Svelte adapter: trackActivity(target, options), completion only', () => {
  const t = useTestTracker()
  const ui = useSvelteUi(t)

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; {#key} re-joins it', () =>
    completionOnlyRejoins(t, ui))

  it('{ tracker, time: false } without provideTracker: that tracker, no time; destroying records nothing', () =>
    aloneCompletionOnlyRecordsNothing(t, ui))

  it('the old forms still measure time: trackActivity(target) under provideTracker, trackActivity(target, tracker) without it', () =>
    oldFormsMeasureTime(t, ui))

  it('other options in the same update ({#key}) start another activity instead of re-joining', () => otherOptionsStartAnother(t, ui))
})

describe('Svelte provideTracker({ options })', () => {
  it('creates the tracker on mount and destroys it with the component', () =>
    providerOwnsItsTracker('svelte', (options, host, provides) => {
      const app = mount(Host, { target: host, props: { config: { options }, onTracker: provides } })
      flushSync()
      return () => unmount(app)
    }))
})
