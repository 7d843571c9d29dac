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
  /** The run this completes (`extensions.runId`). */
  runId?: string | undefined
}

/** Puts an ActivityEvent together from valid parts, without validating again. */
export function assembleActivityEvent(parts: ActivityEventParts): ActivityEvent {
  const { metrics, process, attempt } = parts
  return {
    '@context': CALIPER_CONTEXT,
    id: parts.id,
    type: 'ActivityEvent',
    profile: TIMEBACK_PROFILE,
    eventTime: toCaliperTime(parts.eventTime),
    action: 'Completed',
    actor: parts.actor,
    object: { ...parts.object, ...(process !== undefined && { process }) },
    generated: {
      id: parts.generatedId,
      type: 'TimebackActivityMetricsCollection',
      items: ACTIVITY_METRIC_TYPES.filter((type) => metrics[type] !== undefined).map(
        (type): ActivityMetric => ({ type, value: metrics[type]! }),
      ),
      ...(attempt !== undefined && { attempt }),
    },
    ...(parts.runId && { extensions: { runId: parts.runId } }),
  }
}
