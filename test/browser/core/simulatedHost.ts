// Drives an ActivityClock the way the DOM layer does, on a fake clock: wakes it exactly when it
// asks (unless told the device is asleep), and records what it produced. `now` is the monotonic
// clock the core is fed; the wall clock is `now + wallOffset` and dates the slices.
import { expect } from 'chai'
import {
  createActivityClock,
  createSliceDates,
  type ActivityClock,
  type ActivityClockOptions,
  type InitialPageState,
  type Signal,
  type SliceReport,
} from '../../../src/core/index.js'

export const defaults: ActivityClockOptions = {
  idleTimeoutMs: 60_000,
  hiddenTimeoutMs: 600_000,
  mediaIdleTimeoutMs: 1_200_000,
  sliceMs: 60_000,
  checkpointMs: 5_000,
  clockGapToleranceMs: 15_000,
}

export const T0 = Date.parse('2025-03-01T10:00:00.000Z')
export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE

export class SimulatedHost {
  readonly clock: ActivityClock
  now = T0
  wakes: number[] = []
  slices: SliceReport[] = []
  /** The same slices with the dates they are sent with. */
  dated: SliceReport[] = []
  checkpoints: number[] = []
  wallOffset = 0
  private readonly date = createSliceDates(T0)

  constructor(options: Partial<ActivityClockOptions> = {}, initial: InitialPageState = { visible: true, focused: true }) {
    this.clock = createActivityClock({ ...defaults, ...options }, T0, initial)
  }

  /** Lets time pass to `T0 + offset`, waking the clock whenever it asked to be woken. */
  runTo(offset: number): this {
    const until = T0 + offset
    for (let at = this.clock.nextWakeAt(); at !== undefined && at <= until; at = this.clock.nextWakeAt()) {
      if (this.wakes.length > 1_000_000) throw new Error(`clock keeps asking to be woken at ${at}`)
      this.now = Math.max(this.now, at)
      this.wakes.push(this.now)
      this.collect(this.clock.wake(this.now))
    }
    this.now = until
    return this
  }

  /** The wall clock alone moves by `ms`: a correction (or a sleep the monotonic clock missed). */
  correct(ms: number): this {
    this.wallOffset += ms
    return this
  }

  get wall(): number {
    return this.now + this.wallOffset
  }

  /** The open slice as a checkpoint would date it now. */
  peekDated(): SliceReport {
    return this.date(this.clock.peekSlice(this.now), this.wall)
  }

  /** Time passes with no timer firing at all (device asleep), to `T0 + offset`. */
  sleepTo(offset: number): this {
    this.now = T0 + offset
    return this
  }

  signal(signal: Signal, offset?: number): this {
    if (offset !== undefined) this.runTo(offset)
    this.collect(this.clock.signal(signal, this.now))
    return this
  }

  end(offset: number): this {
    this.runTo(offset)
    this.collect(this.clock.end(this.now))
    return this
  }

  /** Asserts exact ms per bucket and the conservation invariant. */
  expectTotals(expected: Partial<Record<string, number>>): void {
    const { totals, elapsed } = this.clock.snapshot(this.now)
    const full = { active: 0, inactive: 0, unknown: 0, waste: 0, 'anti-pattern': 0, 'not-counted': 0, ...expected }
    expect(totals).to.deep.equal(full)
    const sum = Object.values(totals).reduce((a, b) => a + b, 0)
    expect(sum, 'buckets sum to the elapsed wall-clock time').to.equal(elapsed)
    expect(elapsed).to.equal(this.now - T0)
  }

  /** Seconds reported per kind over all slices. */
  reported(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const slice of this.slices) {
      for (const item of slice.items) {
        const key = item.subType ? `${item.type}:${item.subType}` : item.type
        out[key] = (out[key] ?? 0) + item.value
      }
    }
    return out
  }

  private collect(update: { slices: SliceReport[]; checkpoint: boolean }): void {
    this.slices.push(...update.slices)
    this.dated.push(...update.slices.map((slice) => this.date(slice, this.wall, true)))
    if (update.checkpoint) this.checkpoints.push(this.now)
  }
}
