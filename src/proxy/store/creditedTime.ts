import type { TimeSpentEvent, TimeSpentMetric } from '../../events/eventTypes.js'

/** `[start, end)` in epoch ms. */
export interface Span {
  start: number
  end: number
}

/** Credited time one event asks for: `ms` somewhere inside `[start, end)`. */
export interface CreditClaim extends Span {
  id: string
  ms: number
}

/** Time placed for an event: one of the spans a student's credited time occupies. */
export interface PlacedSpan extends Span {
  id: string
}

/** Kinds of time the platform credits; the others (inactive) are reported, not rewarded. */
const CREDITED = ['unknown', 'anti-pattern', 'waste', 'active'] as const
const isCredited = (item: TimeSpentMetric) => (CREDITED as readonly string[]).includes(item.type)

/** Slices report whole seconds rounded down over the activity, so one may run 1 s past its window. */
export const ROUNDING_MS = 1000

/**
 * The credited time a (plausible) TimeSpentEvent claims, and where: its window, widened by the
 * rounding second at the start. Undefined when it claims none.
 */
export function creditClaim(event: TimeSpentEvent): CreditClaim | undefined {
  const credited = event.generated.items.filter(isCredited)
  const ms = Math.round(credited.reduce((sum, item) => sum + item.value * 1000, 0))
  if (!ms) return undefined
  const starts = event.generated.items.map((i) => Date.parse(i.startDate!))
  const ends = event.generated.items.map((i) => Date.parse(i.endDate!))
  return { id: event.id, start: Math.min(...starts) - ROUNDING_MS, end: Math.max(...ends), ms }
}

/**
 * Places each claim's credited time in the parts of its window no other placed span covers,
 * earliest first, and returns how much each got and the spans it occupies. Placing earliest
 * first is what keeps an activity's own consecutive slices whole: their rounded-down sums never
 * run ahead of the wall clock, so each slice finds its time just after the previous one's.
 * `taken` are spans already placed for other events (any order).
 */
export function placeCredit(taken: readonly Span[], claims: readonly CreditClaim[]): { granted: number[]; placed: PlacedSpan[] } {
  const busy: Span[] = [...taken].sort((a, b) => a.start - b.start)
  // Spans placed by this function never overlap, so sorted by start they are sorted by end too,
  // and each claim can start at the first span ending after it begins (a binary search: a
  // student with 100,000 spans must not cost a scan per claim). Overlapping input (a custom
  // budget's) is scanned from the start.
  const disjoint = busy.every((span, i) => i === 0 || busy[i - 1]!.end <= span.start)
  /** The first index whose span satisfies `after` (false then true along `busy`). */
  const firstWhere = (after: (span: Span) => boolean) => {
    let lo = 0
    let hi = busy.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (after(busy[mid]!)) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const placed: PlacedSpan[] = []
  const granted = claims.map((claim) => {
    let left = claim.ms
    let at = claim.start
    const mine: PlacedSpan[] = []
    // The claim's own end closes the last gap.
    for (let i = disjoint ? firstWhere((span) => span.end > claim.start) : 0; i <= busy.length && left > 0 && at < claim.end; i++) {
      const span = busy[i] ?? { start: claim.end, end: claim.end }
      const gapEnd = Math.min(span.start, claim.end)
      if (gapEnd > at) {
        const take = Math.min(gapEnd - at, left)
        mine.push({ id: claim.id, start: at, end: at + take })
        left -= take
      }
      at = Math.max(at, span.end)
    }
    placed.push(...mine)
    // Keep `busy` sorted by start (after equal starts, as a stable sort would put them).
    for (const span of mine) busy.splice(firstWhere((other) => other.start > span.start), 0, span)
    return claim.ms - left
  })
  return { granted, placed }
}

/**
 * The event with `excessMs` of its credited time taken out (what its claim was not granted):
 * from unknown first, then anti-pattern, waste and active (the best evidenced kind is kept
 * longest). Items left at zero are dropped.
 */
export function trimCredit(event: TimeSpentEvent, excessMs: number): TimeSpentEvent {
  let excess = excessMs
  if (excess <= 0) return event
  const values = new Map(event.generated.items.map((item) => [item, Math.round(item.value * 1000)]))
  for (const type of CREDITED) {
    for (const item of event.generated.items) {
      if (item.type !== type || excess <= 0) continue
      const cut = Math.min(values.get(item)!, excess)
      values.set(item, values.get(item)! - cut)
      excess -= cut
    }
  }
  const items = event.generated.items
    .filter((item) => values.get(item)! > 0)
    .map((item) => ({ ...item, value: values.get(item)! / 1000 }))
  return { ...event, generated: { ...event.generated, items } }
}
