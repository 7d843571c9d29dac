// The shapes of the Caliper events this library sends (TimebackProfile).
import type { ActivityMetricType, Subject, TimeSpentType, UserRole } from './constants.js'

/** An event's `actor`: the student (or another user) the event is about. */
export interface TimebackUser {
  id: string
  type: 'TimebackUser'
  email: string
  name?: string
  role?: UserRole
}

/** An event's `object`: the activity, its subject, the reporting app, and optionally the course. */
export interface TimebackActivityContext {
  id: string
  type: 'TimebackActivityContext'
  subject: Subject
  app: { name: string; id?: string }
  activity?: { name: string; id?: string }
  course?: { id: string; name: string }
  /** ActivityEvent only: also write an Assessment Result in OneRoster. */
  process?: boolean
}

/** One kind of time in a `TimeSpentEvent`, in seconds, over the slice `startDate`–`endDate`. */
export interface TimeSpentMetric {
  type: TimeSpentType
  /** Seconds. */
  value: number
  subType?: string
  startDate?: string
  endDate?: string
}

/** One metric of an `ActivityEvent`: a question count, XP earned (may be negative) or mastered units. */
export interface ActivityMetric {
  type: ActivityMetricType
  value: number
}

/**
 * The event's Caliper `extensions`. `runId` (`urn:uuid:`) names the run, one attempt at an
 * activity, that the event belongs to: its time slices and its completion share it.
 */
export interface EventExtensions {
  runId?: string
  [key: string]: unknown
}

interface TimebackEventBase {
  '@context': 'http://purl.imsglobal.org/ctx/caliper/v1p2'
  id: string
  profile: 'TimebackProfile'
  eventTime: string
  actor: TimebackUser
  object: TimebackActivityContext
  extensions?: EventExtensions
}

/** The time of one slice of an activity, by kind (active, inactive, unknown, waste, anti-pattern). */
export interface TimeSpentEvent extends TimebackEventBase {
  type: 'TimeSpentEvent'
  action: 'SpentTime'
  generated: { id: string; type: 'TimebackTimeSpentMetricsCollection'; items: TimeSpentMetric[] }
}

/** An activity completed (action `Completed`), with its scores and XP. */
export interface ActivityEvent extends TimebackEventBase {
  type: 'ActivityEvent'
  action: 'Completed'
  generated: { id: string; type: 'TimebackActivityMetricsCollection'; attempt?: number; items: ActivityMetric[] }
}

/** Either event this library sends. */
export type TimebackEvent = TimeSpentEvent | ActivityEvent

/** What is POSTed: a Caliper envelope around a batch of events, dated by `sendTime`. */
export interface CaliperEnvelope<E = TimebackEvent> {
  sensor: string
  sendTime: string
  dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2'
  data: E[]
}
