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
 * per kind, so the sum of all slices is never above the truth and never more than 1 s (per
 * kind) below it, however many slices there are. `not-counted` time is never reported.
 */
export function createRoundedSlices(start: number): RoundedSlices {
  // key → [type, subType, ms, reportedSeconds]
  const counters = new Map<string, [TimeSpentType, string | undefined, number, number]>()
  let sliceStart = start
  const keyOf = (type: string, subType?: string) => (subType === undefined ? type : `${type}\u0000${subType}`)

  const peek = (end: number): SliceReport => {
    const items: SliceItem[] = []
    for (const [type, subType, ms, reported] of counters.values()) {
      const value = Math.floor(ms / 1000) - reported
      if (value > 0) items.push(subType === undefined ? { type, value } : { type, value, subType })
    }
    return { start: sliceStart, end, items }
  }

  return {
    add(bucket, ms, subType) {
      if (bucket === 'not-counted' || ms <= 0) return
      const key = keyOf(bucket, subType)
      const counter = counters.get(key)
      if (counter) counter[2] += ms
      else counters.set(key, [bucket, subType, ms, 0])
    },
    peek,
    close(end) {
      const report = peek(end)
      if (!report.items.length) return undefined
      for (const counter of counters.values()) counter[3] = Math.floor(counter[2] / 1000)
      sliceStart = end
      return report
    },
  }
}
