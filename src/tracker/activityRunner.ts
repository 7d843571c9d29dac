import * as z from 'zod/mini'
import { createActivityClock, sameClass, type ActivityClock, type BucketTotals, type ClockSnapshot, type ClockUpdate } from '../core/activityClock.js'
import type { SliceReport } from '../core/roundedSlices.js'
import { createSliceDates } from '../core/sliceDates.js'
import type { Interval, MarkKind, Signal } from '../core/timeBuckets.js'
import { assembleActivityEvent } from '../events/assembleActivityEvent.js'
import { assembleTimeSpentEvent } from '../events/assembleTimeSpentEvent.js'
import { activityMetricsInput, attemptInput, type ActivityMetrics } from '../events/metricSchemas.js'
import { createEventId } from '../events/eventId.js'
import type { TimebackActivityContext, TimebackUser } from '../events/eventTypes.js'
import { bool, name, oneOf } from '../events/fieldSchemas.js'
import { parseOrThrow } from '../events/parse.js'
import type { EventJournal } from '../journal/eventJournal.js'
import { JOURNAL_FORMAT, type JournalRecord } from '../journal/journalRecord.js'
import type { PageLocks } from '../journal/webLocks.js'
import { createMonotonicClock } from '../signals/monotonicClock.js'
import { watchInput } from '../signals/watchInput.js'
import { watchMedia } from '../signals/watchMedia.js'
import { pageHasFocus, pageIsVisible } from '../signals/watchPage.js'
import { createCheckpointer } from './checkpointer.js'
import type { ResolvedTrackerOptions } from './trackerOptions.js'

export type ActivityStatus = 'running' | 'completed' | 'ended'

/** What `complete()` / `end()` did. */
export type CompletionResult =
  | { recorded: true; eventIds: string[] }
  | { recorded: false; reason: string }

export interface CompleteOptions {
  /** Attempt number (≥ 1). */
  attempt?: number
  /** Also write an Assessment Result in OneRoster (`object.process`). */
  process?: boolean
}

/** A running learning activity. Get one from `tracker.startActivity()`. */
export interface Activity {
  /** The activity URL given to `startActivity`. */
  readonly id: string
  /**
   * This attempt's id (`urn:uuid:`), carried by all its events as `extensions.runId`. Save it
   * to resume the run later: `startActivity({ ...target, runId })`.
   */
  readonly runId: string
  readonly status: ActivityStatus
  /** Milliseconds per bucket so far (they sum to the elapsed time). */
  readonly totals: BucketTotals
  /** The current bucket, its reason, and since when (epoch ms). */
  readonly state: ClockSnapshot['state']
  /** Stop counting time (e.g. a pause menu); not counted until `resume()`. */
  pause(): void
  resume(): void
  /** Declare time from now as waste or anti-pattern, with an optional subType, until `unmark()`. */
  mark(type: MarkKind, subType?: string): void
  unmark(): void
  /** Report input the tracker cannot see (e.g. forwarded from a cross-origin iframe). */
  input(): void
  /**
   * Completes the activity: the final TimeSpentEvent and one ActivityEvent with the metrics are
   * stored, then sent. A second call, or a call after `end()`, records nothing and says why.
   * Rejects with a `TimebackValidationError` (nothing stored) for bad metrics.
   */
  complete(metrics: ActivityMetrics, options?: CompleteOptions): Promise<CompletionResult>
  /** Stops without completion: the final TimeSpentEvent is stored, then sent. */
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
  /** The page's Web Lock, held while this page has an open checkpoint. */
  lockName: string
  runId: string
  /** False for a completion-only activity: no time is measured or recorded. */
  time: boolean
  stored(): void
  changed(): void
  finished(runner: ActivityRunner): void
}

const completeInput = /* @__PURE__ */ z.strictObject({
  metrics: activityMetricsInput,
  attempt: z.optional(attemptInput),
  process: z.optional(bool),
})
const markInput = /* @__PURE__ */ z.strictObject({ type: oneOf(['waste', 'anti-pattern']), subType: z.optional(name) })

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
  const writes = createCheckpointer(ctx.journal, ctx.locks, ctx.lockName, ctx.stored)
  const timeline: Interval[] = []

  let started = false // media already credited is read once below, not signalled
  // A completion-only activity watches nothing: no input to note, no media lock to queue for.
  const media = ctx.time
    ? watchMedia(ctx.locks, `timeback-media:${ctx.actor.id}`, (durationMs) =>
        started && observe(durationMs === undefined ? { type: 'media-paused' } : { type: 'media-playing', durationMs }),
      )
    : { credited: () => undefined, stop() {} }
  const clock: ActivityClock = createActivityClock(options, now(), {
    visible: pageIsVisible(),
    focused: pageHasFocus(),
    mediaPlaying: media.credited() !== undefined,
    mediaMs: media.credited(),
  })
  const dated = createSliceDates(clock.start)
  clock.onInterval((interval) => {
    const last = timeline[timeline.length - 1]
    if (last && last.end === interval.start && sameClass(last, interval)) {
      last.end = interval.end
    } else {
      timeline.push({ ...interval })
      if (timeline.length > TIMELINE_LIMIT) timeline.shift()
    }
  })

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
    v: JOURNAL_FORMAT,
    id,
    createdAt,
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

  const sliceRecords = (update: ClockUpdate) =>
    (ctx.time ? update.slices : []).map((report) => {
      const wall = Date.now()
      const record = toRecord(dated(report, wall, true), sliceId, wall)
      sliceId = createEventId()
      return record
    })

  const checkpoint = () => {
    const t = now()
    const report = clock.peekSlice(t)
    if (!report.items.length) return
    const wall = Date.now()
    const record = toRecord(dated(report, wall), sliceId, wall)
    record.open = { owner: ctx.sessionId, lock: ctx.lockName, at: wall }
    writes.checkpoint(record)
  }

  const handle = (update: ClockUpdate) => {
    if (!ctx.time) return // completion-only: nothing to record, no timer to arm
    void writes.store(sliceRecords(update))
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
    feedPendingInput()
    handle(signal ? clock.signal(signal, t) : clock.wake(t))
    if (signal?.type === 'hidden' || signal?.type === 'pagehide' || signal?.type === 'freeze') writes.release()
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

  /** Stores the last records of the activity, then lets the page lock go. */
  const storeFinal = async (records: JournalRecord[]): Promise<CompletionResult> => {
    await writes.store(records)
    writes.release()
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
      records.push({ v: JOURNAL_FORMAT, id: event.id, createdAt: t, event })
      return storeFinal(records)
    },
    end: async () => (status !== 'running' ? notRunning() : storeFinal(finish('ended', now()))),
    timeline: () => timeline.map((i) => ({ ...i })),
  }
  started = true
  inputMatters = clock.snapshot().state.bucket === 'inactive'
  arm()
  return runner
}
