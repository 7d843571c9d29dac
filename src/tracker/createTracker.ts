import * as z from 'zod/mini'
import { strictObject } from '../events/strictObject.js'
import { bool } from '../events/fieldSchemas.js'
import type { Signal } from '../core/timeBuckets.js'
import { activityTargetInput, type ActivityTarget } from '../events/contextSchemas.js'
import { createEventId } from '../events/eventId.js'
import { parseOrThrow } from '../events/parse.js'
import { toActivityContext, toTimebackUser } from '../events/toEventParts.js'
import { createFlusher, type Delivery } from '../delivery/flusher.js'
import { createEventJournal, type StorageMode } from '../journal/eventJournal.js'
import { createPageLocks } from '../journal/webLocks.js'
import { listen } from '../signals/listen.js'
import { watchPage } from '../signals/watchPage.js'
import { whenActivated } from '../signals/whenActivated.js'
import { TrackerError } from '../trackerError.js'
import { startActivityRunner, type Activity, type ActivityRunner } from './activityRunner.js'
import { noteRun, recentRun } from './recentRun.js'
import { trackerRegistry } from './registry.js'
import { resolveTrackerOptions, type TrackerOptions } from './trackerOptions.js'

/** `startActivity`'s second argument. */
export interface StartOptions {
  /** `false`: a completion-only activity (no TimeSpentEvents; `complete()` sends only XP). */
  time?: boolean
}

const startInput = /* @__PURE__ */ z.optional(strictObject({ time: z.optional(bool) }))

/** Everything a UI needs at a glance: the running activity, the queue, the last delivery. */
export interface TrackerSnapshot {
  /** The running activity: its URL, state, totals (ms per bucket) and elapsed ms; else undefined. */
  activity:
    | { id: string; state: Activity['state']; totals: Activity['totals']; elapsed: number }
    | undefined
  /** What waits to be delivered, and how. */
  queue: {
    /** Events stored and not yet acknowledged by the proxy. */
    pending: number
    /** Where events are kept now: `memory` while IndexedDB does not work. */
    storage: StorageMode
    /** Sending is paused (401/403, a redirect, a non-proxy 2xx) until `flush()`. */
    paused: boolean
  }
  /** The latest delivery attempt, by fetch or beacon, if there was one. */
  lastDelivery: Delivery | undefined
}

/**
 * Measures one signed-in student's activities on this page and delivers their events. Get one
 * from `createTracker()`; one live tracker per `storeName` per page.
 */
export interface Tracker {
  /**
   * Starts measuring an activity. One runs at a time: starting another ends the running one
   * first (its time is reported), so time is never counted twice. Starts a run, or continues
   * `target.runId`, or else the same activity's uncompleted run seen within `hiddenTimeoutMs`
   * (a reload, a crash). `{ time: false }`: completion only, no time recorded.
   * In a page prerendered by speculation rules (`document.prerendering`), the activity's clock
   * starts when the student opens the page, and nothing is stored or sent before then.
   * @throws {TimebackValidationError} naming every bad field, before anything starts.
   */
  startActivity(target: ActivityTarget, options?: StartOptions): Activity
  /** The running activity, if any. */
  readonly activity: Activity | undefined
  /**
   * Sends everything stored (also lifts a pause after a 401/403 or redirect). Resolves once all
   * that was stored at the moment of the call has been attempted (sent, or failed and rescheduled).
   */
  flush(): Promise<void>
  /**
   * Ends the running activity, attempts everything stored (as `flush()`, without lifting a pause),
   * then removes every listener and timer it added and closes its IndexedDB connection.
   */
  destroy(): Promise<void>
  /** Calls `listener` on state changes, queue changes and delivery outcomes. Returns unsubscribe. */
  subscribe(listener: (snapshot: TrackerSnapshot) => void): () => void
  /** The state now: the running activity, the queue, the last delivery (what `subscribe` sends). */
  snapshot(): TrackerSnapshot
  /** Events stored and not yet acknowledged (open checkpoints included), oldest first. */
  queue(): Promise<Array<{ id: string; type: string; createdAt: number; open: boolean; event: unknown }>>
  /**
   * This student's events the proxy refused for good, or that expired, for `retentionMs`: why,
   * not what (the event itself only while it may still be sent: refused for its dates alone).
   */
  deadLetters(): Promise<Array<{ id: string; type?: string; reason: string; status?: number; at: number; event?: unknown }>>
  /**
   * For a shared computer: ends the activity, sends what it can, then removes everything of this
   * student from the browser (their events not sent, delivery token, dead letters) and destroys
   * the tracker. Resolves with the ids sent and those lost; says `events-lost` when some were.
   */
  signOut(): Promise<{ sent: string[]; lost: string[] }>
}

/**
 * Creates the tracker for the signed-in student. Validates every option first (throws a
 * `TimebackValidationError` naming each bad field; nothing is started), then starts sending
 * whatever earlier pages left in storage.
 *
 * @example
 * const tracker = createTracker({
 *   endpoint: '/api/caliper',
 *   app: { name: 'Math App' },
 *   actor: { id: 'https://sis.example/users/123', email: 'student@example.com' },
 * })
 * const activity = tracker.startActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
 * await activity.complete({ totalQuestions: 10, correctQuestions: 9, xpEarned: 150 })
 */
export function createTracker(trackerOptions: TrackerOptions): Tracker {
  const options = resolveTrackerOptions(trackerOptions)
  const registry = trackerRegistry()
  if (registry.has(options.storeName)) {
    throw new Error(
      `createTracker: a tracker for storeName "${options.storeName}" is already running; ` +
        'destroy() it first or use another storeName',
    )
  }
  const sessionId = createEventId()
  const actor = toTimebackUser(options.actor)
  const listeners = new Set<(snapshot: TrackerSnapshot) => void>()
  const runStore = `${options.storeName}:run`
  let runner: ActivityRunner | undefined
  let lastDelivery: Delivery | undefined
  let destroyed = false
  let notifyQueued = false

  /** Of `records`, this student's: the tracker shows no other student's (a shared computer). */
  const mine = <R extends { event: { actor: { id: string } } }>(records: R[]) => records.filter((r) => r.event.actor.id === actor.id)
  const letters = async () => (await journal.deadLetters()).filter((l) => (l.actor ?? actor.id) === actor.id)

  const report = (error: TrackerError) => {
    try {
      options.onError(error)
    } catch {
      // an onError that throws must not break tracking
    }
  }

  const snapshot = (): TrackerSnapshot => {
    const clock = runner?.snapshot()
    return {
      activity: runner && clock ? { id: runner.id, state: clock.state, totals: clock.totals, elapsed: clock.elapsed } : undefined,
      queue: { pending: mine(journal.pending()).length, storage: journal.mode(), paused: flusher.paused() },
      lastDelivery,
    }
  }

  const notify = () => {
    if (notifyQueued || !listeners.size) return
    notifyQueued = true
    queueMicrotask(() => {
      notifyQueued = false
      const current = snapshot()
      for (const listener of listeners) {
        try {
          listener(current)
        } catch (error) {
          report(new TrackerError('callback-failed', 'a subscribe() listener threw', { cause: error }))
        }
      }
    })
  }

  // Each storage-like API may be present and still refuse (a third-party iframe): each is
  // replaced on its own, and each refusal is said once.
  const refused = (what: string, then: string) => (error: unknown) => {
    report(new TrackerError('storage-unavailable', `${what} refused (${String(error)}); ${then}`, { cause: error }))
    notify()
  }
  const journal = createEventJournal(
    options.storeName,
    options.requestTimeoutMs,
    (mode, error) => {
      if (mode === 'memory') return refused('IndexedDB', 'events kept in memory')(error)
      report(new TrackerError('storage-restored', 'IndexedDB works again'))
      notify()
    },
    options.storage?.indexedDB,
  )
  const locks = createPageLocks(refused('Web Locks', 'tabs send without taking turns'), options.storage?.locks)

  const flusher = createFlusher({
    ...options,
    clockKey: `${options.storeName}:clock`,
    journal,
    locks,
    actorId: actor.id,
    sessionId,
    lockName: `${options.storeName}:flush`,
    maxBatchEvents: 100,
    maxBatchBytes: 256 * 1024,
    timeoutMs: options.requestTimeoutMs,
    report,
    onDelivery(delivery) {
      lastDelivery = delivery
      notify()
    },
  })

  // One owner of the page lifecycle: the running activity hears a signal first (so hiding
  // closes its slice), then delivery reacts (the beacon carries that slice).
  const onPageSignal = (signal: Signal) => {
    runner?.signal(signal)
    if (signal.type === 'hidden' || signal.type === 'pagehide' || signal.type === 'freeze') flusher.beacon(signal.type !== 'hidden')
    else if (signal.type === 'visible' || signal.type === 'resume' || (signal.type === 'pageshow' && signal.persisted)) flusher.visible()
  }
  const stops = [watchPage(onPageSignal), listen(window, 'online', () => document.prerendering || void flusher.now())]

  const tracker: Tracker = {
    startActivity(target, start) {
      if (destroyed) throw new Error('startActivity: this tracker was destroyed')
      const valid = parseOrThrow(activityTargetInput, target, 'startActivity')
      const time = parseOrThrow(startInput, start, 'startActivity options')?.time !== false
      void runner?.end()
      const runKey = `${actor.id} ${valid.id}`
      const runId = valid.runId ?? recentRun(runStore, runKey, options.hiddenTimeoutMs) ?? createEventId()
      whenActivated(() => noteRun(runStore, runKey, runId))
      runner = startActivityRunner({
        options,
        actor,
        object: toActivityContext({ ...valid, app: options.app }),
        journal,
        locks,
        sessionId,
        runId,
        time,
        stored() {
          if (runner?.runId === runId) noteRun(runStore, runKey, runId) // not once it is completed
          flusher.soon()
          notify()
        },
        changed: notify,
        finished(done) {
          // After the run's own note, in a prerendered page too (whose note waits for activation).
          if (done.status === 'completed') whenActivated(() => noteRun(runStore, runKey))
          if (runner === done) runner = undefined
          notify()
        },
      })
      notify()
      return runner
    },
    get activity() {
      return runner
    },
    flush: () => flusher.now(true),
    async destroy() {
      if (destroyed) return
      destroyed = true
      registry.delete(options.storeName) // a new tracker may start at once (React StrictMode)
      await runner?.end()
      stops.forEach((stop) => stop())
      await flusher.now()
      flusher.stop()
      journal.close()
      listeners.clear()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    snapshot,
    async queue() {
      return mine((await journal.read()).records)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((r) => ({ id: r.id, type: r.event.type, createdAt: r.createdAt, open: !!r.open, event: r.event }))
    },
    async deadLetters() {
      return (await letters()).map(({ v: _format, actor: _actor, ...letter }) => letter)
    },
    async signOut() {
      await runner?.end()
      const before = mine((await journal.read()).records)
      await flusher.now(true)
      // The flush read the journal: what this page holds is all that is left.
      const lost = mine(journal.pending()).map((r) => r.id)
      const dead = (await letters()).map((l) => l.id)
      await journal.remove(lost)
      await journal.forget(dead)
      noteRun(runStore, '')
      if (lost[0]) report(new TrackerError('events-lost', `signOut removed ${lost.length} unsent event(s)`, { eventIds: lost }))
      await tracker.destroy()
      return { sent: before.map((r) => r.id).filter((id) => !lost.includes(id) && !dead.includes(id)), lost }
    },
  }
  registry.set(options.storeName, tracker)
  // A prerendered page sends nothing (not even other pages' leftovers) before the student opens
  // it: it may never be shown, and its flushes would seal and send on a page nobody visits.
  whenActivated(flusher.soon)
  return tracker
}
