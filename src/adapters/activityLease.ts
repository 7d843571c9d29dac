import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import type { Tracker } from '../tracker/createTracker.js'

interface Lease {
  key: string
  activity: Activity
  holders: number
  ending: boolean
}

const leases = new WeakMap<Tracker, Lease>()

/**
 * Component-friendly activity lifetime, shared by the React and Vue adapters. `acquire` starts
 * the activity for `target` (or re-joins the running one for the same target); `release` ends
 * it at the end of the current task unless it is acquired again first. React StrictMode's
 * mount → unmount → mount (and a quick remount) so keeps one continuous activity: no time is
 * counted twice, no slice is cut short, no event is sent twice.
 */
export function acquireActivity(tracker: Tracker, target: ActivityTarget): { activity: Activity; release(): void } {
  const key = JSON.stringify(target)
  let lease = leases.get(tracker)
  if (!lease || lease.key !== key || lease.activity.status !== 'running' || tracker.activity !== lease.activity) {
    lease = { key, activity: tracker.startActivity(target), holders: 0, ending: false }
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
