/**
 * A provider and primitives on Solid 1.x's reactivity. Solid stays a peer dependency. Only effects
 * and `onMount` touch the tracker, and Solid runs neither on the server: rendered there, these do
 * nothing.
 *
 * @module timeback-tracker/solid
 */
import {
  createComponent,
  createContext,
  createEffect,
  createSignal,
  onCleanup,
  onMount,
  untrack,
  useContext,
  type Accessor,
  type JSX,
} from 'solid-js'
import { acquireActivity, activityArgs, type ActivityOptions } from '../adapters/activityLease.js'
import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import { createTracker, type Tracker, type TrackerSnapshot } from '../tracker/createTracker.js'
import type { TrackerOptions } from '../tracker/trackerOptions.js'

export type { ActivityOptions }

const TrackerContext = createContext<Accessor<Tracker | undefined>>(() => undefined)

/** `TrackerProvider`'s props: a `tracker` you created, or the `options` to create one with. */
export type TrackerProviderProps = { children?: JSX.Element } & (
  | { tracker: Tracker; options?: never }
  | { options: TrackerOptions; tracker?: never }
)

/**
 * Makes a tracker available to `useActivity` and `useTrackerSnapshot` below it. Pass a
 * `tracker` you created (yours to destroy), or `options`: the provider then creates the
 * tracker on mount and destroys it on cleanup.
 *
 * @example
 * <TrackerProvider options={{ endpoint: '/api/caliper', app: { name: 'Math App' }, actor }}>
 *   <Lesson />
 * </TrackerProvider>
 */
export function TrackerProvider(props: TrackerProviderProps): JSX.Element {
  const [owned, setOwned] = createSignal<Tracker>()
  onMount(() => {
    const options = props.options
    if (!options) return
    const tracker = createTracker(options)
    setOwned(() => tracker)
    onCleanup(() => {
      setOwned(undefined)
      void tracker.destroy()
    })
  })
  return createComponent(TrackerContext.Provider, {
    value: () => props.tracker ?? owned(),
    get children() {
      return props.children
    },
  })
}

/** The tracker from the nearest `TrackerProvider` (undefined on the server and before mount). */
export const useTracker = (): Accessor<Tracker | undefined> => useContext(TrackerContext)

const trackerOf = (tracker: Tracker | undefined): Accessor<Tracker | undefined> => (tracker ? () => tracker : useTracker())

/**
 * Measures `target` while the owner lives: starts after mount, ends on cleanup. A component
 * disposed and created again in the same update re-joins the same activity, so no time is
 * counted twice. Pass an accessor to follow a changing target (a new value ends the old
 * activity and starts the new one). The second argument is a tracker to use instead of the
 * provider's, or options: `startActivity`'s (`{ time: false }`: completion only, no time
 * recorded) and `tracker`.
 *
 * @example
 * const activity = useActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
 * // <button onClick={() => activity()?.complete({ xpEarned: 150 })}>Finish</button>
 * // Completion only (an instant check): no TimeSpentEvent, complete() sends only the ActivityEvent.
 * const check = useActivity({ id: 'https://app.example/checks/3', subject: 'Math' }, { time: false })
 */
export function useActivity(target: ActivityTarget | Accessor<ActivityTarget>, options?: Tracker | ActivityOptions): Accessor<Activity | undefined> {
  const [tracker, start] = activityArgs(options)
  const source = trackerOf(tracker)
  const [activity, setActivity] = createSignal<Activity>()
  createEffect(() => {
    const current = source()
    const wanted = typeof target === 'function' ? target() : target
    if (!current) return setActivity(undefined)
    const lease = untrack(() => acquireActivity(current, wanted, start))
    setActivity(() => lease.activity)
    onCleanup(lease.release)
  })
  return activity
}

/** The tracker's live snapshot (state, totals, queue, last delivery), updated on every change. */
export function useTrackerSnapshot(tracker?: Tracker): Accessor<TrackerSnapshot | undefined> {
  const source = trackerOf(tracker)
  // Current from the first read (on the server there is no tracker to read).
  const [snapshot, setSnapshot] = createSignal(untrack(() => source()?.snapshot()))
  createEffect(() => {
    const current = source()
    setSnapshot(current?.snapshot())
    if (current) onCleanup(current.subscribe((next) => setSnapshot(next)))
  })
  return snapshot
}
