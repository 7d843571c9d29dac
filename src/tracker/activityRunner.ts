import * as z from 'zod/mini'
import { createActivityClock, sameClass, type ActivityClock, type BucketTotals, type ClockSnapshot, type ClockUpdate } from '../core/activityClock.js'
import type { SliceReport } from '../core/roundedSlices.js'
import type { Interval, MarkKind, Signal } from '../core/timeBuckets.js'
import { assembleActivityEvent, type ActivityEventParts } from '../events/assembleActivityEvent.js'
import { assembleTimeSpentEvent } from '../events/assembleTimeSpentEvent.js'
import { activityMetricsInput, attemptInput, type ActivityMetrics } from '../events/metricSchemas.js'
import { createEventId } from '../events/eventId.js'
import type { TimebackActivityContext, TimebackUser } from '../events/eventTypes.js'
import { name } from '../events/fieldSchemas.js'
import { parseOrThrow } from '../events/parse.js'
import type { EventJournal } from '../journal/eventJournal.js'
import { JOURNAL_FORMAT, type JournalRecord } from '../journal/journalRecord.js'
import { holdLock } from '../journal/webLocks.js'
import { watchInput } from '../signals/watchInput.js'
import { watchMedia } from '../signals/watchMedia.js'
import { pageHasFocus, pageIsVisible } from '../signals/watchPage.js'
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
  sessionId: string
  /** The page's Web Lock, held while this page has an open checkpoint. */
  lockName: string
  stored(): void
  changed(): void
  finished(runner: ActivityRunner): void
}

const completeInput = z.strictObject({
  metrics: activityMetricsInput,
  attempt: z.optional(attemptInput),
  process: z.optional(z.boolean()),
})
const markInput = z.strictObject({ type: z.enum(['waste', 'anti-pattern']), subType: z.optional(name) })

const TIMELINE_LIMIT = 500

export function startActivityRunner(ctx: RunnerContext): ActivityRunner {
  const { options, journal } = ctx
  const now = () => Date.now()
  let status: ActivityStatus = 'running'
  let sliceId = createEventId()
  let timer: ReturnType<typeof setTimeout> | undefined
  let timerAt: number | undefined
  let pendingInput: number | undefined
  let inputMatters = false
  let lock: Promise<() => void> | undefined
  let lastFinalWrite: Promise<void> = Promise.resolve()
  const timeline: Interval[] = []

  let started = false // media already credited is read once below, not signalled
  const media = watchMedia(`timeback-media:${ctx.actor.id}`, (durationMs) =>
    started && observe(durationMs === undefined ? { type: 'media-paused' } : { type: 'media-playing', durationMs }),
  )
  const clock: ActivityClock = createActivityClock(options, now(), {
    visible: pageIsVisible(),
    focused: pageHasFocus(),
    mediaPlaying: media.credited(),
  })
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
  const stopInput = watchInput(() => {
    const t = now()
    if (inputMatters) observe({ type: 'input' }, t)
    else pendingInput = t
  }, options.frameOrigins)

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
    }),
  })

  /** Closed slices become sendable events at once (in the mirror synchronously, for beacons). */
  const store = (records: JournalRecord[]) => {
    if (!records.length) return Promise.resolve()
    const write = journal.put(records)
    lastFinalWrite = write
    ctx.stored()
    return write
  }

  const sliceRecords = (update: ClockUpdate) =>
    update.slices.map((report) => {
      const record = toRecord(report, sliceId, now())
      sliceId = createEventId()
      return record
    })

  const checkpoint = () => {
    const t = now()
    const report = clock.peekSlice(t)
    if (!report.items.length) return
    const id = sliceId
    const record = toRecord(report, id, t)
    record.open = { owner: ctx.sessionId, lock: ctx.lockName, at: t }
    lock ??= holdLock(ctx.lockName)
    // Written once the page holds its lock, and only if the slice is still open by then (a
    // final write for the same id must never be overtaken by a checkpoint).
    void lock.then(() => {
      if (sliceId === id && status === 'running') return journal.put([record])
    })
  }

  /** Lets the page lock go once the last final write is stored (the page is hidden or done). */
  const releaseLock = () => {
    const held = lock
    lock = undefined
    void held?.then((release) => lastFinalWrite.finally(release))
  }

  const handle = (update: ClockUpdate) => {
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
    feedPendingInput()
    handle(signal ? clock.signal(signal, t) : clock.wake(t))
    if (signal?.type === 'hidden' || signal?.type === 'pagehide') releaseLock()
  }

  function arm() {
    const at = status === 'running' ? clock.nextWakeAt() : undefined
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

  /** Ends the activity; its last slice (and, on completion, the ActivityEvent) are stored, then sent. */
  const close = async (next: ActivityStatus, completion?: Omit<ActivityEventParts, 'id' | 'generatedId' | 'actor' | 'object' | 'eventTime'>): Promise<CompletionResult> => {
    if (status !== 'running') return { recorded: false, reason: `the activity is already ${status}; nothing was sent` }
    const t = now()
    const records = finish(next, t)
    if (completion) {
      const event = assembleActivityEvent({ id: createEventId(), generatedId: createEventId(), actor: ctx.actor, object: ctx.object, eventTime: t, ...completion })
      records.push({ v: JOURNAL_FORMAT, id: event.id, createdAt: t, event })
    }
    await store(records)
    releaseLock()
    return { recorded: true, eventIds: records.map((r) => r.id) }
  }

  const runner: ActivityRunner = {
    id: ctx.object.id,
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
      observe(valid.subType === undefined ? { type: 'mark', kind: valid.type } : { type: 'mark', kind: valid.type, subType: valid.subType })
    },
    unmark: () => observe({ type: 'unmark' }),
    input: () => observe({ type: 'input' }),
    // Validated only while running (a late call records nothing); bad metrics reject.
    complete: async (metrics, completeOptions = {}) =>
      close('completed', status === 'running' ? parseOrThrow(completeInput, { metrics, ...completeOptions }, 'activity.complete') : undefined),
    end: () => close('ended'),
    timeline: () => timeline.map((i) => ({ ...i })),
  }
  started = true
  inputMatters = clock.snapshot().state.bucket === 'inactive'
  arm()
  return runner
}
