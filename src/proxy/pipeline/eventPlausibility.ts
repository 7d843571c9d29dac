import type { TimebackEvent } from '../../events/eventTypes.js'
import type { FieldIssue } from '../../events/validationError.js'
import { ROUNDING_MS } from '../store/creditedTime.js'

export interface PlausibilityLimits {
  /** The server's clock, epoch ms. */
  now: number
  /**
   * The dates were put on the server's clock by their envelope's `sendTime`: a date refused is
   * one its device made after (or long before) it sent it, and the message says so.
   */
  bySendTime?: boolean
  /** How far after its envelope's sendTime an event may be dated (or ahead of `now`, without one). */
  clockSkewMs: number
  /** Nothing older is accepted: the tracker dead-letters what it could not send by then. */
  retentionMs: number
  /** `xpEarned` of one ActivityEvent lies within ±this. */
  maxXpPerEvent: number
}

const DAY_MS = 86_400_000
/** A question count or unit count above this in one activity is a typo or a forgery. */
const MAX_COUNT = 10_000

/**
 * What makes `event` (already valid by schema) physically impossible, one issue per field;
 * empty when it is plausible. A TimeSpentEvent's items must say when the time was spent
 * (`startDate < endDate`, at most 24 h), and their values may sum to at most that window plus
 * 1 s of rounding. Nothing lies in the future beyond the clock skew or before the retention.
 */
export function findImplausible(event: TimebackEvent, limits: PlausibilityLimits): FieldIssue[] {
  const issues: FieldIssue[] = []
  const latest = limits.now + limits.clockSkewMs
  const oldest = limits.now - limits.retentionMs
  // The path is put together only for an issue: this runs for every item of every event.
  // The tracker takes the bare messages for refusals of a wrong clock and tries those events
  // once more when the proxy corrects by sendTime; these say more, so they are not retried.
  const by = limits.bySendTime ? " (by its envelope's sendTime)" : ''
  const checkTime = (at: number, path: string, field = '') => {
    if (at > latest) issues.push({ path: path + field, message: `is in the future${by}` })
    else if (at < oldest) issues.push({ path: path + field, message: `is older than the retention period${by}` })
  }
  const eventTime = Date.parse(event.eventTime)
  checkTime(eventTime, 'eventTime')

  if (event.type === 'ActivityEvent') {
    event.generated.items.forEach(({ type, value }, i) => {
      const limit = type === 'xpEarned' ? limits.maxXpPerEvent : MAX_COUNT
      if (Math.abs(value) > limit) issues.push({ path: `generated.items[${i}].value`, message: `${type} must be within ±${limit}` })
    })
    return issues
  }

  let first = Infinity
  let last = -Infinity
  let total = 0
  let undated = false
  event.generated.items.forEach((item, i) => {
    const path = `generated.items[${i}]`
    if (item.startDate === undefined || item.endDate === undefined) {
      issues.push({ path, message: 'needs startDate and endDate (time is checked against them)' })
      undated = true
      return
    }
    const start = Date.parse(item.startDate)
    const end = Date.parse(item.endDate)
    checkTime(start, path, '.startDate')
    checkTime(end, path, '.endDate')
    if (end <= start) issues.push({ path: `${path}.endDate`, message: 'must be after startDate' })
    else if (end - start > DAY_MS) issues.push({ path, message: 'spans more than 24 hours' })
    if (item.value * 1000 > Math.max(end - start, 0) + ROUNDING_MS) {
      issues.push({ path: `${path}.value`, message: 'is more than the time between startDate and endDate' })
    }
    first = Math.min(first, start)
    last = Math.max(last, end)
    total += item.value
  })
  if (undated) return issues
  if (total * 1000 > last - first + ROUNDING_MS) {
    issues.push({ path: 'generated.items', message: `values sum to ${total} s, more than the ${(last - first) / 1000} s they cover` })
  }
  if (eventTime < first) issues.push({ path: 'eventTime', message: 'is before the time it reports' })
  return issues
}
