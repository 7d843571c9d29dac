/**
 * A provider and hooks. React stays a peer dependency. The build puts 'use client' on top of this
 * entry (rollup.config.mjs), so Server Components can import it.
 *
 * @module timeback-tracker/react
 */
import { createContext, createElement, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'
import { acquireActivity, activityArgs, type ActivityOptions } from '../adapters/activityLease.js'
import type { ActivityTarget } from '../events/contextSchemas.js'
import type { Activity } from '../tracker/activityRunner.js'
import { createTracker, type Tracker, type TrackerSnapshot } from '../tracker/createTracker.js'
import type { TrackerOptions } from '../tracker/trackerOptions.js'

export type { ActivityOptions }

const TrackerContext = createContext<Tracker | undefined>(undefined)

/** `TrackerProvider`'s props: a `tracker` you created, or the `options` to create one with. */
export type TrackerProviderProps = { children?: ReactNode } & ({ tracker: Tracker; options?: never } | { options: TrackerOptions; tracker?: never })

/**
 * Makes a tracker available to `useActivity` below it. Pass a `tracker` you created (it is
 * yours to destroy), or `options`, and the provider creates the tracker after mounting (never
 * on the server) and destroys it on unmount (StrictMode's extra mount included). When the
 * options change by value (another student signs in, another endpoint), the old tracker ends
 * its activity and is destroyed, and a new one takes over; callbacks are compared by nothing,
 * so inline `onError`/`headers` functions do not recreate it.
 *
 * @example
 * <TrackerProvider options={{ endpoint: '/api/caliper', app: { name: 'Math App' }, actor }}>
 *   <Lesson />
 * </TrackerProvider>
 */
export function TrackerProvider(props: TrackerProviderProps) {
  const [owned, setOwned] = useState<Tracker>()
  const options = useRef(props.options)
  options.current = props.options
  const key = props.options && JSON.stringify(props.options)
  useEffect(() => {
    if (!options.current) return
    const tracker = createTracker(options.current)
    setOwned(tracker)
    return () => {
      setOwned(undefined)
      void tracker.destroy()
    }
  }, [key])
  return createElement(TrackerContext.Provider, { value: props.tracker ?? owned }, props.children)
}

/** The tracker from the nearest `TrackerProvider` (undefined until it has mounted). */
export function useTracker(): Tracker | undefined {
  return useContext(TrackerContext)
}

/**
 * Measures `target` while the component is mounted: starts on mount, ends on unmount, and
 * survives StrictMode's double mount (and quick remounts) as one continuous activity. A new
 * `target` or new options (by value) end the old activity and start the new one. The second
 * argument is a tracker to use instead of the provider's, or options: `startActivity`'s
 * (`{ time: false }`: completion only, no time recorded) and `tracker`.
 *
 * @example
 * const activity = useActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
 * const finish = () => activity?.complete({ totalQuestions: 10, correctQuestions: 9, xpEarned: 150 })
 * // Completion only (an instant check): no TimeSpentEvent, complete() sends only the ActivityEvent.
 * const check = useActivity({ id: 'https://app.example/checks/3', subject: 'Math' }, { time: false })
 */
export function useActivity(target: ActivityTarget, options?: Tracker | ActivityOptions): Activity | undefined {
  const fromContext = useContext(TrackerContext)
  const [tracker, start] = activityArgs(options)
  const active = tracker ?? fromContext
  const [activity, setActivity] = useState<Activity>()
  const key = JSON.stringify([target, start])
  const latest = useRef({ target, start })
  latest.current = { target, start }
  useEffect(() => {
    if (!active) return
    const lease = acquireActivity(active, latest.current.target, latest.current.start)
    setActivity(lease.activity)
    return lease.release
  }, [active, key])
  return activity
}

const noSnapshot = () => undefined

/**
 * The tracker's live snapshot (state, totals, queue, last delivery); re-renders on changes.
 * Undefined on the server and while hydrating.
 */
export function useTrackerSnapshot(tracker?: Tracker): TrackerSnapshot | undefined {
  const fromContext = useContext(TrackerContext)
  const active = tracker ?? fromContext
  const cache = useRef<{ tracker?: Tracker | undefined; snapshot?: TrackerSnapshot | undefined }>({})
  const read = () => {
    if (cache.current.tracker !== active) cache.current = { tracker: active, snapshot: active?.snapshot() }
    return cache.current.snapshot
  }
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (!active) return () => {}
      const stop = active.subscribe((snapshot) => {
        cache.current = { tracker: active, snapshot }
        onChange()
      })
      // Changes made before we listened (an activity started by an earlier hook's effect)
      // notified nobody: read the state now.
      cache.current = { tracker: active, snapshot: active.snapshot() }
      onChange()
      return stop
    },
    [active],
  )
  return useSyncExternalStore(subscribe, read, noSnapshot)
}
