/** @jsxImportSource solid-js */
// The Solid adapter: JSX compiled by Solid's own transform (babel-preset-solid), rendered for
// real in the browser.
import { expect } from 'chai'
import { batch, createSignal, Show } from 'solid-js'
import { render } from 'solid-js/web'
import type { ActivityTarget, Tracker } from '../../../src/index.js'
import { TrackerProvider, useActivity, useTracker, useTrackerSnapshot, type ActivityOptions } from '../../../src/solid/index.js'
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

/** Lessons (either component) created so far: a keyed remount must create one again. */
let lessonsCreated = 0

function Lesson() {
  lessonsCreated++
  const activity = useActivity({ ...lesson })
  const snapshot = useTrackerSnapshot()
  return <p data-reason={snapshot()?.activity?.state.reason ?? 'none'}>{activity()?.status ?? 'none'}</p>
}

/** `useActivity(target, options)`: the second argument as an app writes it. */
function Check(props: { options: Tracker | ActivityOptions; target?: ActivityTarget }) {
  lessonsCreated++
  const activity = useActivity(props.target ?? lesson, props.options)
  return <p>{activity()?.status ?? 'none'}</p>
}

interface SolidUi extends AdapterUi {
  readonly host: HTMLElement
}

/**
 * What each test renders, in a fresh element; disposed after it. Provided: a TrackerProvider
 * around a lesson re-created for each key (a Check given the options of then, or a Lesson
 * without options); alone: a Check by itself.
 */
function useSolidUi(t: Harness): SolidUi {
  let host: HTMLElement
  let dispose: (() => void) | undefined
  const [key, setKey] = createSignal('a')
  const [options, setOptions] = createSignal<ActivityOptions>()
  const ui: SolidUi = {
    get host() {
      return host
    },
    provided(given) {
      setKey('a')
      setOptions(() => given)
      dispose = render(
        () => (
          <TrackerProvider tracker={t.tracker}>
            <Show when={key()} keyed>
              {given ? <Check options={options()!} /> : <Lesson />}
            </Show>
          </TrackerProvider>
        ),
        host,
      )
    },
    alone(given, target = lesson) {
      dispose = render(() => <Check options={given} target={target} />, host)
    },
    async remount(given) {
      const created = lessonsCreated
      batch(() => {
        if (given) setOptions(() => given)
        setKey('b')
      })
      await settle()
      expect(lessonsCreated, 'the component was created again').to.equal(created + 1)
    },
    async unmount() {
      dispose?.()
      dispose = undefined
      await settle()
    },
    shown: () => host.querySelector('p')!.textContent ?? '',
  }
  useHost((element) => (host = element), ui.unmount)
  return ui
}

describe('Solid adapter', () => {
  const t = useTestTracker()
  const ui = useSolidUi(t)

  it('starts on mount, ends on cleanup, reports the measured time once', () => measuresFromMountToUnmount(t, ui))

  it('a remount in the same update (a keyed Show) re-joins the running activity', () => remountRejoins(t, ui))

  it('useTrackerSnapshot follows the live state, and is current when first read', async () => {
    ui.provided()
    await settle()
    await t.clock.tick(61 * SECOND)
    expect(ui.host.querySelector('p')!.dataset.reason).to.equal('idle')
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

describe('Solid adapter: useActivity(target, options), completion only', () => {
  const t = useTestTracker()
  const ui = useSolidUi(t)

  it('{ time: false }: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent; a keyed remount re-joins it', () =>
    completionOnlyRejoins(t, ui))

  it('{ tracker, time: false } without a provider: that tracker, no time; cleanup records nothing', () =>
    aloneCompletionOnlyRecordsNothing(t, ui))

  it('the old forms still measure time: useActivity(target) under a provider, useActivity(target, tracker) without one', () =>
    oldFormsMeasureTime(t, ui))

  it('other options in the same update (a keyed remount) start another activity instead of re-joining', () =>
    otherOptionsStartAnother(t, ui))
})

describe('Solid TrackerProvider with options', () => {
  it('creates the tracker on mount and destroys it on cleanup', () =>
    providerOwnsItsTracker('solid', (options, host, provides) => {
      const Probe = () => {
        const current = useTracker()
        return <>{(provides(current()), null)}<Lesson /></>
      }
      return render(() => <TrackerProvider options={options}><Probe /></TrackerProvider>, host)
    }))
})
