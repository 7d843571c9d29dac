import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import type { StartOptions, Tracker } from '../tracker/createTracker.js'

/**
 * The second argument of every adapter's `useActivity`/`trackActivity`, when it is not a
 * tracker: `startActivity`'s own options (`{ time: false }`: completion only), plus the tracker
 * to use instead of the provided one.
 */
export type ActivityOptions = StartOptions & { tracker?: Tracker | undefined }

/**
 * Reads the adapters' second argument: a `Tracker` (the form from before options existed) or
 * `ActivityOptions`. Returns the tracker it names, if any, and the options for `startActivity`.
 */
export function activityArgs(given: Tracker | ActivityOptions | undefined): [Tracker | undefined, StartOptions | undefined] {
  if (!given || 'startActivity' in given) return [given as Tracker | undefined, undefined]
  const { tracker, ...start } = given
  return [tracker, start]
}

interface Lease {
  key: string
  activity: Activity
  holders: number
  ending: boolean
}

const leases = new WeakMap<Tracker, Lease>()

/**
 * Component-friendly activity lifetime, shared by the framework adapters. `acquire` starts
 * the activity for `target` with `start` options (or re-joins the running one for the same
 * target and options: `{ time: true }` and none are the same); `release` ends it at the end of
 * the current task unless it is acquired again first. React StrictMode's mount → unmount →
 * mount (and a quick remount) so keeps one continuous activity: no time is counted twice, no
 * slice is cut short, no event is sent twice. Other options (a timed activity, then a
 * completion-only one) start a new activity.
 */
export function acquireActivity(tracker: Tracker, target: ActivityTarget, start?: StartOptions): { activity: Activity; release(): void } {
  const key = JSON.stringify([target, { ...start, time: start?.time !== false }])
  let lease = leases.get(tracker)
  if (!lease || lease.key !== key || lease.activity.status !== 'running' || tracker.activity !== lease.activity) {
    lease = { key, activity: tracker.startActivity(target, start), holders: 0, ending: false }
    leases.set(tracker, lease)
  }
  const held = lease
  held.holders++
  held.ending = false
  let released = false
  return {
    activity: held.activity,
    release() {
      if (released) return
      released = true
      if (--held.holders > 0) return
      held.ending = true
      queueMicrotask(() => {
        if (!held.ending || held.holders > 0) return
        if (leases.get(tracker) === held) leases.delete(tracker)
        void held.activity.end()
      })
    },
  }
}
