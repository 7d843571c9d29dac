import { applySignal, classifyMoment, nextChangeAfter, type Classification, type PageState } from './pageState.js'
import { createRoundedSlices, type SliceReport } from './roundedSlices.js'
import type { Bucket, ClassifierOptions, Interval, Signal } from './timeBuckets.js'

export interface ActivityClockOptions extends ClassifierOptions {
  /** A slice closes at most this long after it opened while the page is visible. */
  sliceMs: number
  /** Credited time (active, waste, anti-pattern, unknown) is checkpointed within this long. */
  checkpointMs: number
  /**
   * A timer that fires (or any signal that arrives) more than this long after the wake-up the
   * clock asked for means the device slept or the page was suspended: the stretch from the
   * missed wake-up until now is `unknown` (reason `clock-gap`).
   */
  clockGapToleranceMs: number
}

/** The page as the activity starts: `createActivityClock`'s third argument. */
export interface InitialPageState {
  visible: boolean
  focused: boolean
  mediaPlaying?: boolean
  /** The playing media's duration (its no-input limit is the longer of this and the option's). */
  mediaMs?: number | undefined
}

/** What one call produced. */
export interface ClockUpdate {
  /** Slices closed by this call, in order. */
  slices: SliceReport[]
  /** Persist a checkpoint of the open slice now (`peekSlice()`). */
  checkpoint: boolean
  /** The classification changed (subscribers want to know). */
  changed: boolean
}

/** Milliseconds per bucket (`activity.totals`). */
export type BucketTotals = Record<Bucket, number>

/** The clock at one moment: what `snapshot()` returns. */
export interface ClockSnapshot {
  /** The current bucket, why, and since when. */
  state: Classification & { since: number }
  /** Milliseconds per bucket from the start until the snapshot time; they sum to `elapsed`. */
  totals: BucketTotals
  elapsed: number
}

/**
 * The pure core of one activity: a state machine fed timestamped signals, with no DOM, timers or
 * clock of its own. It classifies every millisecond from `start` to the end into exactly one
 * bucket (the totals always sum to the elapsed time), cuts slices with floor rounding, says when
 * to checkpoint, and names the one instant it next needs waking (`nextWakeAt()`).
 * Feed it a monotonic clock (the tracker uses `performance.now()`): a wall clock corrected
 * backwards would stop it until the clock caught up, and one corrected forwards looks like sleep.
 */
export interface ActivityClock {
  readonly start: number
  /** A signal from the page or the app at time `t`. */
  signal(signal: Signal, t: number): ClockUpdate
  /** The timer asked for by `nextWakeAt()` fired at `t`. */
  wake(t: number): ClockUpdate
  /** Ends the activity at `t`; the last slice (if it has a whole second to report) is returned. */
  end(t: number): ClockUpdate
  /** The open slice as it would be reported if closed at `t` (what a checkpoint persists). */
  peekSlice(t?: number): SliceReport
  /** State and totals as of `t` (≥ the last observation), changing nothing. */
  snapshot(t?: number): ClockSnapshot
  /**
   * When to call `wake()`: the next slice or checkpoint deadline, or the idle deadline (so the
   * change is seen on time). Undefined when nothing can change without a signal: hidden,
   * paused, frozen or ended; no timer runs then.
   */
  nextWakeAt(): number | undefined
  /** Called with every classified stretch as time advances (merge neighbours for a timeline). */
  onInterval(listener: (interval: Interval) => void): void
  readonly ended: boolean
}

const CREDITED: ReadonlySet<Bucket> = new Set(['active', 'waste', 'anti-pattern', 'unknown'])
/** Whether two stretches are the same kind of time (bucket, reason and subType). */
export const sameClass = (a: Classification, b: Classification) => a.bucket === b.bucket && a.reason === b.reason && a.subType === b.subType

/**
 * Creates the pure core of one activity (see `ActivityClock`), started at `start` on a
 * monotonic clock, with the page as `initial` describes it.
 */
export function createActivityClock(options: ActivityClockOptions, start: number, initial: InitialPageState): ActivityClock {
  const { sliceMs, checkpointMs, clockGapToleranceMs } = options
  let state: PageState = {
    visible: initial.visible,
    focused: initial.focused,
    mediaPlaying: !!initial.mediaPlaying,
    mediaMs: initial.mediaMs ?? 0,
    frozen: false,
    paused: false,
    mark: undefined,
    lastInput: start,
    attended: start,
    hiddenSince: start,
  }
  let t = start
  let ended = false
  const slices = createRoundedSlices(start)
  const totals: BucketTotals = { active: 0, inactive: 0, unknown: 0, waste: 0, 'anti-pattern': 0, 'not-counted': 0 }
  let current: Classification & { since: number } = { ...classifyMoment(state, start, options), since: start }
  let sliceDeadline = start + sliceMs
  let creditSince: number | undefined // start of credited time not yet checkpointed
  let expectedWake: number | undefined
  const listeners: Array<(interval: Interval) => void> = []

  /** Calls `each` for the constant-classification pieces of `[from, to)`. */
  const walk = (from: number, to: number, each: (a: number, b: number, c: Classification) => void) => {
    for (let a = from; a < to; ) {
      const change = nextChangeAfter(state, a, options)
      const b = change === undefined || change > to ? to : change
      each(a, b, classifyMoment(state, a, options))
      a = b
    }
  }

  const record = (a: number, b: number, c: Classification) => {
    totals[c.bucket] += b - a
    slices.add(c.bucket, b - a, c.subType)
    if (CREDITED.has(c.bucket)) creditSince ??= a
    if (!sameClass(c, current)) current = { ...c, since: a }
    // Classifications carry no `subType` key unless they have one, so the spread copies it only then.
    const interval: Interval = { start: a, end: b, ...c }
    for (const listener of listeners) listener(interval)
  }

  /** Advances to `now`, first turning a missed wake-up into a clock gap. */
  const observe = (now: number): ClockUpdate => {
    const update: ClockUpdate = { slices: [], checkpoint: false, changed: false }
    if (ended || now <= t) return update
    const before = current
    const from = expectedWake !== undefined && now > expectedWake + clockGapToleranceMs ? expectedWake : now
    walk(t, from, record)
    if (from < now) record(from, now, { bucket: 'unknown', reason: 'clock-gap' })
    t = now
    update.changed = before !== current
    return update
  }

  const closeSlice = (update: ClockUpdate) => {
    const report = slices.close(t)
    if (report) update.slices.push(report)
    sliceDeadline = t + sliceMs
    creditSince = undefined
  }

  const nextWakeAt = () => {
    if (ended || !state.visible || state.paused || state.frozen) return undefined
    let at = sliceDeadline
    // Credited time accruing (or accrued) since the last checkpoint is saved within checkpointMs.
    const since = creditSince ?? (CREDITED.has(current.bucket) ? t : undefined)
    if (since !== undefined) at = Math.min(at, since + checkpointMs)
    const change = nextChangeAfter(state, t, options)
    return change === undefined ? at : Math.min(at, change)
  }

  const finish = (update: ClockUpdate) => {
    const now = classifyMoment(state, t, options)
    if (!sameClass(now, current)) {
      current = { ...now, since: t }
      update.changed = true
    }
    const next = nextWakeAt()
    expectedWake = next === undefined ? undefined : Math.max(next, t)
    return update
  }

  expectedWake = nextWakeAt()

  return {
    start,
    signal(signal, now) {
      const update = observe(now)
      if (ended) return update
      const wasVisible = state.visible
      const wasPaused = state.paused
      state = applySignal(state, signal, t)
      // Becoming hidden and pausing both stop the timers, so report what was measured now
      // rather than whenever the page comes back; pagehide and freeze may be the last thing the
      // page hears (closed or discarded), so they report too, even while already hidden.
      const leaving = signal.type === 'pagehide' || signal.type === 'freeze'
      if (leaving || (wasVisible && !state.visible) || (!wasPaused && state.paused)) closeSlice(update)
      return finish(update)
    },
    wake(now) {
      const update = observe(now)
      if (ended) return update
      if (t >= sliceDeadline) closeSlice(update)
      else if (creditSince !== undefined && t >= creditSince + checkpointMs) {
        update.checkpoint = true
        creditSince = undefined
      }
      return finish(update)
    },
    end(now) {
      const update = observe(now)
      if (ended) return update
      ended = true
      closeSlice(update)
      return finish(update) // asks for no more wake-ups: the clock has ended
    },
    peekSlice: (at = t) => slices.peek(Math.max(at, t)),
    snapshot(at = t) {
      const copy = { ...totals }
      let shown = current
      if (!ended && at > t) {
        walk(t, at, (a, b, c) => {
          copy[c.bucket] += b - a
          if (!sameClass(c, shown)) shown = { ...c, since: a }
        })
      }
      return { state: shown, totals: copy, elapsed: (ended ? t : Math.max(at, t)) - start }
    },
    nextWakeAt,
    onInterval: (listener) => void listeners.push(listener),
    get ended() {
      return ended
    },
  }
}
