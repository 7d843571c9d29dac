/**
 * Stores and a helper for Svelte 5. Svelte stays a peer dependency. Only `onMount` work touches the
 * tracker, and Svelte never runs it on the server: rendered there, these do nothing.
 *
 * @module timeback-tracker/svelte
 */
import { getContext, onMount, setContext } from 'svelte'
import { readable, writable, type Readable } from 'svelte/store'
import { acquireActivity, activityArgs, type ActivityOptions } from '../adapters/activityLease.js'
import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import { createTracker, type Tracker, type TrackerSnapshot } from '../tracker/createTracker.js'
import type { TrackerOptions } from '../tracker/trackerOptions.js'

export type { ActivityOptions }

const KEY = Symbol.for('timeback-tracker.svelte')
const none: Readable<undefined> = readable(undefined)

/** Runs `use(tracker)` for each tracker the store holds, cleaning up before the next one. */
const following = (source: Readable<Tracker | undefined>, use: (tracker: Tracker | undefined) => (() => void) | void) => {
  let cleanup: (() => void) | void
  const stop = source.subscribe((tracker) => {
    cleanup?.()
    cleanup = use(tracker)
  })
  return () => {
    stop()
    cleanup?.()
  }
}

const trackerOf = (tracker: Tracker | undefined): Readable<Tracker | undefined> =>
  tracker ? readable(tracker) : (getContext<Readable<Tracker | undefined>>(KEY) ?? none)

/**
 * Makes a tracker available to `trackActivity` and `trackerSnapshot` in this component and
 * below. Pass `{ tracker }` (yours to destroy) or `{ options }`: the tracker is then created on
 * mount and destroyed with the component. Call during component initialisation.
 *
 * @example
 * provideTracker({ options: { endpoint: '/api/caliper', app: { name: 'Math App' }, actor } })
 */
export function provideTracker(config: { tracker: Tracker } | { options: TrackerOptions }): Readable<Tracker | undefined> {
  const tracker = writable<Tracker | undefined>('tracker' in config ? config.tracker : undefined)
  if ('options' in config) {
    onMount(() => {
      const owned = createTracker(config.options)
      tracker.set(owned)
      return () => {
        tracker.set(undefined)
        void owned.destroy()
      }
    })
  }
  setContext(KEY, tracker)
  return { subscribe: tracker.subscribe }
}

/** The tracker from the nearest `provideTracker` (undefined on the server and before mount). */
export const useTracker = (): Readable<Tracker | undefined> => trackerOf(undefined)

/**
 * Measures `target` for the component's life: starts on mount, ends on destroy. A component
 * destroyed and created again in the same update (`{#key}`) re-joins the same activity, so no
 * time is counted twice. The second argument is a tracker to use instead of the provided one,
 * or options: `startActivity`'s (`{ time: false }`: completion only, no time recorded) and
 * `tracker`. Returns a store of the activity. Call during component initialisation.
 *
 * @example
 * const activity = trackActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
 * // <button onclick={() => $activity?.complete({ xpEarned: 150 })}>Finish</button>
 * // Completion only (an instant check): no TimeSpentEvent, complete() sends only the ActivityEvent.
 * const check = trackActivity({ id: 'https://app.example/checks/3', subject: 'Math' }, { time: false })
 */
export function trackActivity(target: ActivityTarget, options?: Tracker | ActivityOptions): Readable<Activity | undefined> {
  const [tracker, start] = activityArgs(options)
  const source = trackerOf(tracker)
  const activity = writable<Activity | undefined>()
  onMount(() =>
    following(source, (current) => {
      if (!current) return activity.set(undefined)
      const lease = acquireActivity(current, target, start)
      activity.set(lease.activity)
      return lease.release
    }),
  )
  return { subscribe: activity.subscribe }
}

/**
 * The tracker's live snapshot (state, totals, queue, last delivery) as a store: read fresh when
 * the first subscriber comes, then updated on every change. Call during component
 * initialisation (or anywhere, given a tracker).
 */
export function trackerSnapshot(tracker?: Tracker): Readable<TrackerSnapshot | undefined> {
  const source = trackerOf(tracker)
  return readable<TrackerSnapshot | undefined>(undefined, (set) =>
    following(source, (current) => {
      set(current?.snapshot())
      return current?.subscribe(set)
    }),
  )
}
