import type { SliceReport } from './roundedSlices.js'

/**
 * What `report` (a slice as it stands) adds to `sent`, an earlier report of the same slice that
 * was sealed into an event of its own: each kind's seconds less those `sent` reported, from where
 * `sent` ended. A page that stalled past its checkpoint's promise goes on with this under a new
 * id, so the sealed seconds are not reported twice and the later ones are not lost.
 */
export function sliceRemainder(report: SliceReport, sent: SliceReport): SliceReport {
  const items = report.items
    .map((item) => ({
      ...item,
      value: item.value - (sent.items.find((s) => s.type === item.type && s.subType === item.subType)?.value ?? 0),
    }))
    .filter((item) => item.value > 0)
  return { start: sent.end, end: report.end, items }
}
