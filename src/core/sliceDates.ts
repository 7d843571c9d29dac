import type { SliceReport } from './roundedSlices.js'

/** Dates a slice report: what `createSliceDates` returns. */
export type SliceDater = (report: SliceReport, wallEnd: number, close?: boolean) => SliceReport

/**
 * Dates slices measured on the monotonic clock. Each slice starts where the previous one ended
 * and ends at `wallEnd` (what the wall clock read at its end), but never before its start plus
 * the seconds it reports. So slices never overlap or run backwards and always span what they
 * report, whatever the wall clock does: after a forward jump (a correction, or a sleep the
 * monotonic clock did not count) the dates rejoin the wall clock at once; after a backward
 * correction they run ahead of it by at most the correction, and close that distance during time
 * that is not reported (a pause, an abandoned tab).
 * `date(report, wallEnd)` dates a checkpoint; `date(report, wallEnd, true)` closes the slice.
 */
export function createSliceDates(start: number): SliceDater {
  let last = start
  return (report, wallEnd, close) => {
    const end = Math.max(wallEnd, report.items.reduce((at, item) => at + item.value * 1000, last))
    const dated = { ...report, start: last, end }
    if (close) last = end
    return dated
  }
}
