// The shapes of the Caliper events this library sends (TimebackProfile).
import type { ActivityMetricType, Subject, TimeSpentType, UserRole } from './constants.js'

export interface TimebackUser {
  id: string
  type: 'TimebackUser'
  email: string
  name?: string
  role?: UserRole
}

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

export interface TimeSpentMetric {
  type: TimeSpentType
  /** Seconds. */
  value: number
  subType?: string
  startDate?: string
  endDate?: string
}

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

export interface TimeSpentEvent extends TimebackEventBase {
  type: 'TimeSpentEvent'
  action: 'SpentTime'
  generated: { id: string; type: 'TimebackTimeSpentMetricsCollection'; items: TimeSpentMetric[] }
}

export interface ActivityEvent extends TimebackEventBase {
  type: 'ActivityEvent'
  action: 'Completed'
  generated: { id: string; type: 'TimebackActivityMetricsCollection'; attempt?: number; items: ActivityMetric[] }
}

export type TimebackEvent = TimeSpentEvent | ActivityEvent

export interface CaliperEnvelope<E = TimebackEvent> {
  sensor: string
  sendTime: string
  dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2'
  data: E[]
}
