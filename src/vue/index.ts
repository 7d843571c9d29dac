/**
 * A plugin and composables. Vue stays a peer dependency.
 *
 * @module timeback-tracker/vue
 */
import { getCurrentInstance, inject, onActivated, onBeforeUnmount, onDeactivated, onMounted, shallowRef, type App, type InjectionKey, type ShallowRef } from 'vue'
import { acquireActivity, activityArgs, type ActivityOptions } from '../adapters/activityLease.js'
import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import { createTracker, type Tracker, type TrackerSnapshot } from '../tracker/createTracker.js'
import type { TrackerOptions } from '../tracker/trackerOptions.js'

export type { ActivityOptions }

/** The injection key the plugin provides the tracker under (`inject(TRACKER_KEY)`). */
export const TRACKER_KEY: InjectionKey<Tracker> = Symbol('timeback-tracker')

/**
 * `app.use(TimebackTracker, { tracker })` (a tracker you created) or
 * `app.use(TimebackTracker, { options })` (created now, destroyed with `app.unmount()`).
 * On the server it does nothing: components render, and the client's app tracks after hydration.
 *
 * @example
 * createApp(App).use(TimebackTracker, { options: { endpoint: '/api/caliper', app: { name: 'Math App' }, actor } }).mount('#app')
 */
export const TimebackTracker = {
  /** Called by `app.use()`: provides the tracker to every component of `app`. */
  install(app: App, config: { tracker: Tracker } | { options: TrackerOptions }) {
    if (typeof window === 'undefined') return
    const tracker = 'tracker' in config ? config.tracker : createTracker(config.options)
    app.provide(TRACKER_KEY, tracker)
    if (!('tracker' in config)) app.onUnmount(() => void tracker.destroy())
  },
}

/** The tracker provided by the plugin (or undefined outside an app that installed it). */
export function useTracker(): Tracker | undefined {
  return getCurrentInstance() ? inject(TRACKER_KEY, undefined) : undefined
}

/**
 * Measures `target` while the component is mounted (and, inside `<KeepAlive>`, while it is
 * active): starts on mount, ends on unmount. A quick remount re-joins the same activity, so
 * no time is counted twice and no event is sent twice. The second argument is a tracker to use
 * instead of the plugin's, or options: `startActivity`'s (`{ time: false }`: completion only,
 * no time recorded) and `tracker`. Call from `setup()`.
 *
 * @example
 * const activity = useActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
 * // Completion only (an instant check): no TimeSpentEvent, complete() sends only the ActivityEvent.
 * const check = useActivity({ id: 'https://app.example/checks/3', subject: 'Math' }, { time: false })
 */
export function useActivity(target: ActivityTarget, options?: Tracker | ActivityOptions): ShallowRef<Activity | undefined> {
  const [given, startOptions] = activityArgs(options)
  const tracker = given ?? useTracker()
  const activity = shallowRef<Activity>()
  let release: (() => void) | undefined
  const start = () => {
    if (!tracker || release) return
    const lease = acquireActivity(tracker, target, startOptions)
    activity.value = lease.activity
    release = lease.release
  }
  const stop = () => {
    release?.()
    release = undefined
  }
  onMounted(start)
  onActivated(start)
  onDeactivated(stop)
  onBeforeUnmount(stop)
  return activity
}

/** The tracker's live snapshot as a ref, updated on every change. Call from `setup()`. */
export function useTrackerSnapshot(tracker: Tracker | undefined = useTracker()): ShallowRef<TrackerSnapshot | undefined> {
  const snapshot = shallowRef(tracker?.snapshot())
  let unsubscribe: (() => void) | undefined
  onMounted(() => {
    if (!tracker) return
    unsubscribe = tracker.subscribe((s) => (snapshot.value = s))
    // Changes made before we listened (an activity started by an earlier onMounted) notified
    // nobody: read the state now.
    snapshot.value = tracker.snapshot()
  })
  onBeforeUnmount(() => unsubscribe?.())
  return snapshot
}
