import * as z from 'zod/mini'
import { strictObject } from '../events/strictObject.js'
import { createActivityClock, sameClass, type ActivityClock, type BucketTotals, type ClockSnapshot, type ClockUpdate } from '../core/activityClock.js'
import type { SliceReport } from '../core/roundedSlices.js'
import { createSliceDates, type SliceDater } from '../core/sliceDates.js'
import { sliceRemainder } from '../core/sliceRemainder.js'
import type { Interval, MarkKind, Signal } from '../core/timeBuckets.js'
import { assembleActivityEvent } from '../events/assembleActivityEvent.js'
import { assembleTimeSpentEvent } from '../events/assembleTimeSpentEvent.js'
import { activityMetricsInput, attemptInput, type ActivityMetrics } from '../events/metricSchemas.js'
import { createEventId } from '../events/eventId.js'
import type { TimebackActivityContext, TimebackUser } from '../events/eventTypes.js'
import { bool, name, oneOf } from '../events/fieldSchemas.js'
import { parseOrThrow } from '../events/parse.js'
import type { EventJournal } from '../journal/eventJournal.js'
import type { JournalRecord } from '../journal/journalRecord.js'
import type { PageLocks } from '../journal/webLocks.js'
import { createMonotonicClock } from '../signals/monotonicClock.js'
import { watchInput } from '../signals/watchInput.js'
import { watchMedia } from '../signals/watchMedia.js'
import { pageHasFocus, pageIsVisible } from '../signals/watchPage.js'
import { whenActivated } from '../signals/whenActivated.js'
import type { ResolvedTrackerOptions } from './trackerOptions.js'

/** Whether the activity still measures (`running`), or was `complete()`d or `end()`ed. */
export type ActivityStatus = 'running' | 'completed' | 'ended'

/** What `complete()` / `end()` did. */
export type CompletionResult =
  | { recorded: true; eventIds: string[] }
  | { recorded: false; reason: string }

/** `complete()`'s second argument: how the ActivityEvent describes the attempt. */
export interface CompleteOptions {
  /** Attempt number (≥ 1). */
  attempt?: number
  /** Also write an Assessment Result in OneRoster (`object.process`). */
  process?: boolean
}

/**
 * A running learning activity. Get one from `tracker.startActivity()`. Started in a prerendered
 * page, it measures from activation: until then its totals stay zero, and the app's calls
 * (`pause()`, `mark()`, …) apply at activation.
 */
export interface Activity {
  /** The activity URL given to `startActivity`. */
  readonly id: string
  /**
   * This attempt's id (`urn:uuid:`), carried by all its events as `extensions.runId`. Save it
   * to resume the run later: `startActivity({ ...target, runId })`.
   */
  readonly runId: string
  /** `running` until `complete()` or `end()`. */
  readonly status: ActivityStatus
  /** Milliseconds per bucket so far (they sum to the elapsed time). */
  readonly totals: BucketTotals
  /** The current bucket, its reason, and since when (epoch ms). */
  readonly state: ClockSnapshot['state']
  /** Stop counting time (e.g. a pause menu); not counted until `resume()`. */
  pause(): void
  /** Count time again after `pause()`, classified as the page is now. */
  resume(): void
  /** Declare time from now as waste or anti-pattern, with an optional subType, until `unmark()`. */
  mark(type: MarkKind, subType?: string): void
  /** End a `mark()`: time is classified by the page's state again. */
  unmark(): void
  /** Report input the tracker cannot see (e.g. forwarded from a cross-origin iframe). */
  input(): void
  /**
   * Completes the activity: the final TimeSpentEvent and one ActivityEvent with the metrics are
   * stored, then sent. A second call, or a call after `end()`, records nothing and says why.
   * Rejects with a `TimebackValidationError` (nothing stored) for bad metrics.
   * In a prerendered page, the completion is stored (and the promise settles) at activation.
   */
  complete(metrics: ActivityMetrics, options?: CompleteOptions): Promise<CompletionResult>
  /**
   * Stops without completion: the final TimeSpentEvent is stored, then sent. Before a
   * prerendered page's activation there is no time to report: nothing is stored.
   */
  end(): Promise<CompletionResult>
  /** Recent classified stretches, oldest first (adjacent ones merged), for a timeline. */
  timeline(): Interval[]
}

export interface ActivityRunner extends Activity {
  /** Page signals forwarded by the tracker (which owns the page lifecycle listeners). */
  signal(signal: Signal): void
  snapshot(): ClockSnapshot
}

export interface RunnerContext {
  options: ResolvedTrackerOptions
  actor: TimebackUser
  object: TimebackActivityContext
  journal: EventJournal
  locks: PageLocks
  sessionId: string
  runId: string
  /** False for a completion-only activity: no time is measured or recorded. */
  time: boolean
  stored(): void
  changed(): void
  finished(runner: ActivityRunner): void
}

const completeInput = /* @__PURE__ */ strictObject({
  metrics: activityMetricsInput,
  attempt: z.optional(attemptInput),
  process: z.optional(bool),
})
const markInput = /* @__PURE__ */ strictObject({ type: oneOf(['waste', 'anti-pattern']), subType: z.optional(name) })

const TIMELINE_LIMIT = 500

export function startActivityRunner(ctx: RunnerContext): ActivityRunner {
  const { options } = ctx
  const now = createMonotonicClock()
  let status: ActivityStatus = 'running'
  let sliceId = createEventId()
  let timer: ReturnType<typeof setTimeout> | undefined
  let timerAt: number | undefined
  let pendingInput: number | undefined
  let inputMatters = false
  /** The open slice's last checkpoint as measured, and when the page promised to write again. */
  let open: { report: SliceReport; until: number } | undefined
  /** What a sealed checkpoint of the open slice reported (the page stalled past its promise). */
  let sealed: SliceReport | undefined
  const timeline: Interval[] = []

  let started = false // media already credited is read once below, not signalled
  // A completion-only activity watches nothing: no input to note, no media lock to queue for.
  const media = ctx.time
    ? watchMedia(ctx.locks, `timeback-media:${ctx.actor.id}`, (durationMs) =>
        started && observe(durationMs === undefined ? { type: 'media-paused' } : { type: 'media-playing', durationMs }),
      )
    : { credited: () => undefined, stop() {} }
  let clock: ActivityClock
  let dated: SliceDater
  /** Starts the clock; a prerendered page's again at activation, with the app's early calls. */
  const begin = () => {
    clock = createActivityClock(options, now(), {
      visible: pageIsVisible(),
      focused: pageHasFocus(),
      mediaPlaying: media.credited() !== undefined,
      mediaMs: media.credited(),
    })
    dated = createSliceDates(clock.start)
    clock.onInterval((interval) => {
      const last = timeline[timeline.length - 1]
      if (last && last.end === interval.start && sameClass(last, interval)) {
        last.end = interval.end
      } else {
        timeline.push({ ...interval })
        if (timeline.length > TIMELINE_LIMIT) timeline.shift()
      }
    })
    inputMatters = clock.snapshot().state.bucket === 'inactive'
    arm()
  }
  /** Calls made while prerendered: nothing is measured or stored until the student is there. */
  const early: Array<Signal | undefined> = []

  // The hot path: most input only moves a timestamp. Only input that ends an inactive spell is
  // handed to the clock at once; the rest is fed in before the clock's next observation.
  const stopInput = ctx.time
    ? watchInput(() => {
        const t = now()
        if (inputMatters) observe({ type: 'input' }, t)
        else pendingInput = t
      }, options.frameOrigins)
    : () => {}

  const toRecord = (report: SliceReport, id: string, createdAt: number): JournalRecord => ({
    v: 1,
    id,
    createdAt,
    token: ctx.journal.token,
    event: assembleTimeSpentEvent({
      id,
      generatedId: createEventId(),
      actor: ctx.actor,
      object: ctx.object,
      items: report.items,
      startDate: report.start,
      endDate: report.end,
      eventTime: report.end,
      runId: ctx.runId,
    }),
  })

  /**
   * What of the open slice is still to be written at `wall`. A page that broke its checkpoint's
   * promise (it stalled: the device slept, a long task) may have had it sealed and sent by another
   * tab; it seals it itself if nobody has (the seal is idempotent, and the checkpoint landed
   * first: IndexedDB runs read-write transactions in the order they were created), and goes on
   * under a new id with only what the checkpoint did not report.
   */
  const unsent = (report: SliceReport, wall: number) => {
    if (open && wall > open.until) {
      void ctx.journal.seal(sliceId)
      sealed = open.report
      sliceId = createEventId()
      open = undefined
    }
    return sealed ? sliceRemainder(report, sealed) : report
  }

  const sliceRecords = (update: ClockUpdate) =>
    (ctx.time ? update.slices : []).flatMap((report) => {
      const wall = Date.now()
      const rest = unsent(dated(report, wall, true), wall)
      const records = rest.items.length ? [toRecord(rest, sliceId, wall)] : []
      sliceId = createEventId()
      open = sealed = undefined
      return records
    })

  const store = (records: JournalRecord[]) => {
    if (!records.length) return
    const write = ctx.journal.put(records)
    ctx.stored()
    return write
  }

  const checkpoint = () => {
    const wall = Date.now()
    const report = dated(clock.peekSlice(now()), wall)
    const rest = unsent(report, wall)
    if (!rest.items.length) return
    // A live, visible page writes the slice again within sliceMs (a checkpoint, or the slice
    // closing: on time, hidden, paused, frozen, ended); a late timer is allowed for.
    const until = wall + options.sliceMs + options.clockGapToleranceMs
    open = { report, until }
    const record = toRecord(rest, sliceId, wall)
    record.open = { owner: ctx.sessionId, at: wall, until }
    record.v = 2 // a version that knows no promise leaves it alone (JOURNAL_FORMAT)
    void ctx.journal.put([record])
  }

  const handle = (update: ClockUpdate) => {
    if (!ctx.time) return // completion-only: nothing to record, no timer to arm
    void store(sliceRecords(update))
    if (update.checkpoint) checkpoint()
    if (update.changed) {
      inputMatters = clock.snapshot().state.bucket === 'inactive'
      ctx.changed()
    }
    arm()
  }

  const feedPendingInput = () => {
    if (pendingInput === undefined) return
    const t = pendingInput
    pendingInput = undefined
    handle(clock.signal({ type: 'input' }, t))
  }

  function observe(signal: Signal | undefined, t = now()) {
    if (status !== 'running') return
    if (document.prerendering) return void early.push(signal)
    feedPendingInput()
    handle(signal ? clock.signal(signal, t) : clock.wake(t))
  }

  function arm() {
    const at = status === 'running' && ctx.time ? clock.nextWakeAt() : undefined
    if (at === timerAt) return
    clearTimeout(timer)
    timerAt = at
    if (at !== undefined) {
      timer = setTimeout(() => {
        timerAt = undefined
        observe(undefined)
      }, Math.max(0, at - now()))
    }
  }

  const finish = (next: ActivityStatus, t: number): JournalRecord[] => {
    feedPendingInput()
    const records = sliceRecords(clock.end(t))
    status = next
    stopInput()
    media.stop()
    arm()
    ctx.finished(runner)
    return records
  }

  const notRunning = (): CompletionResult => ({ recorded: false, reason: `the activity is already ${status}; nothing was sent` })

  /** Stores the last records of the activity. */
  const storeFinal = async (records: JournalRecord[]): Promise<CompletionResult> => {
    await store(records)
    return { recorded: true, eventIds: records.map((r) => r.id) }
  }

  const runner: ActivityRunner = {
    id: ctx.object.id,
    runId: ctx.runId,
    get status() {
      return status
    },
    get totals() {
      return clock.snapshot(now()).totals
    },
    get state() {
      return clock.snapshot(now()).state
    },
    snapshot: () => clock.snapshot(now()),
    signal: (signal) => observe(signal),
    pause: () => observe({ type: 'app-pause' }),
    resume: () => observe({ type: 'app-resume' }),
    mark(type, subType) {
      const valid = parseOrThrow(markInput, { type, subType }, 'activity.mark')
      observe({ type: 'mark', kind: valid.type, ...(valid.subType === undefined ? {} : { subType: valid.subType }) })
    },
    unmark: () => observe({ type: 'unmark' }),
    input: () => observe({ type: 'input' }),
    async complete(metrics, completeOptions = {}) {
      if (status !== 'running') return notRunning()
      const valid = parseOrThrow(completeInput, { metrics, ...completeOptions }, 'activity.complete')
      const records = finish('completed', now())
      // Completed in a prerendered page: stored once the student opens it, never if not.
      if (document.prerendering) await new Promise<void>(whenActivated)
      const t = Date.now()
      const event = assembleActivityEvent({
        ...valid,
        // The run's id is its completion's id too: a run completed again (resumed on another
        // device, say) yields the same event, which the proxy and the platform take once.
        id: ctx.runId,
        runId: ctx.runId,
        generatedId: createEventId(),
        actor: ctx.actor,
        object: ctx.object,
        eventTime: t,
      })
      records.push({ v: 1, id: event.id, createdAt: t, event, token: ctx.journal.token })
      return storeFinal(records)
    },
    end: async () => (status !== 'running' ? notRunning() : storeFinal(finish('ended', now()))),
    timeline: () => timeline.map((i) => ({ ...i })),
  }
  started = true
  begin()
  // An activity ended or completed before activation has no time to measure from it.
  if (document.prerendering) whenActivated(() => status === 'running' && (begin(), early.forEach((signal) => observe(signal))))
  return runner
}
