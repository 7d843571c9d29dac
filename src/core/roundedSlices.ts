import type { TimeSpentType } from '../events/constants.js'
import type { Bucket } from './timeBuckets.js'

/** One reported kind of time in a slice: whole seconds, non-zero. */
export interface SliceItem {
  type: TimeSpentType
  value: number
  subType?: string
}

/** A closed (or checkpointed) slice: the stretch it covers and what to report for it. */
export interface SliceReport {
  start: number
  end: number
  items: SliceItem[]
}

/** Accumulates time into the open slice and reports it in whole seconds (`createRoundedSlices`). */
export interface RoundedSlices {
  /** Adds `ms` of `bucket` (and `subType`) time to the open slice. */
  add(bucket: Bucket, ms: number, subType?: string): void
  /** What closing the slice at `end` would report, without closing it. */
  peek(end: number): SliceReport
  /**
   * Closes the slice at `end`. Returns undefined, and keeps the slice open from the same start,
   * when there is not yet a whole second to report.
   */
  close(end: number): SliceReport | undefined
}

/**
 * Accumulates milliseconds per reported kind (bucket + subType) over a whole activity and cuts
 * them into slices. Each slice reports `floor(cumulative_ms / 1000) - already_reported` seconds
 * per kind, so the sum of all slices is never above the truth, however many slices there are.
 * A slice never reports more whole seconds in all than it is long (rounded up): what a short
 * slice cannot hold waits for the next, so no event claims more time than its window (the proxy
 * refuses those). `not-counted` time is never reported.
 */
export function createRoundedSlices(start: number): RoundedSlices {
  const counters = new Map<string, { item: Omit<SliceItem, 'value'>; ms: number; reported: number }>()
  let sliceStart = start

  const cut = (end: number, close?: boolean): SliceReport => {
    const report: SliceReport = { start: sliceStart, end, items: [] }
    let room = Math.ceil((end - sliceStart) / 1000)
    for (const counter of counters.values()) {
      const value = Math.min(Math.floor(counter.ms / 1000) - counter.reported, room)
      if (value > 0) {
        room -= value
        if (close) counter.reported += value
        report.items.push({ ...counter.item, value })
      }
    }
    if (close) sliceStart = end
    return report
  }

  return {
    add(bucket, ms, subType) {
      if (bucket === 'not-counted' || ms <= 0) return
      const key = `${bucket}\u0000${subType ?? ''}`
      const counter = counters.get(key)
      if (counter) counter.ms += ms
      else counters.set(key, { item: subType === undefined ? { type: bucket } : { type: bucket, subType }, ms, reported: 0 })
    },
    peek: cut,
    close: (end) => (cut(end).items.length ? cut(end, true) : undefined),
  }
}
