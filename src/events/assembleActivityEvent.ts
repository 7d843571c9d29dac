import { toCaliperTime } from './caliperTime.js'
import { ACTIVITY_METRIC_TYPES, CALIPER_CONTEXT, TIMEBACK_PROFILE, type ActivityMetricType } from './constants.js'
import type { ActivityEvent, ActivityMetric, TimebackActivityContext, TimebackUser } from './eventTypes.js'

/** Parts of an ActivityEvent that are already valid (built by the tracker or checked above). */
export interface ActivityEventParts {
  id: string
  generatedId: string
  actor: TimebackUser
  object: TimebackActivityContext
  metrics: { [K in ActivityMetricType]?: number | undefined }
  attempt?: number | undefined
  process?: boolean | undefined
  eventTime: number
}

/** Puts an ActivityEvent together from valid parts, without validating again. */
export function assembleActivityEvent(parts: ActivityEventParts): ActivityEvent {
  const items: ActivityMetric[] = []
  for (const type of ACTIVITY_METRIC_TYPES) {
    const value = parts.metrics[type]
    if (value !== undefined) items.push({ type, value })
  }
  const object: TimebackActivityContext = { ...parts.object }
  if (parts.process !== undefined) object.process = parts.process
  const generated: ActivityEvent['generated'] = { id: parts.generatedId, type: 'TimebackActivityMetricsCollection', items }
  if (parts.attempt !== undefined) generated.attempt = parts.attempt
  return {
    '@context': CALIPER_CONTEXT,
    id: parts.id,
    type: 'ActivityEvent',
    profile: TIMEBACK_PROFILE,
    eventTime: toCaliperTime(parts.eventTime),
    action: 'Completed',
    actor: parts.actor,
    object,
    generated,
  }
}
