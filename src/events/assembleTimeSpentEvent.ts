import { toCaliperTime } from './caliperTime.js'
import { CALIPER_CONTEXT, TIMEBACK_PROFILE, type TimeSpentType } from './constants.js'
import type { TimebackActivityContext, TimebackUser, TimeSpentEvent, TimeSpentMetric } from './eventTypes.js'

/** Parts of a TimeSpentEvent that are already valid (built by the tracker or checked above). */
export interface TimeSpentEventParts {
  id: string
  generatedId: string
  actor: TimebackUser
  object: TimebackActivityContext
  items: ReadonlyArray<{ type: TimeSpentType; value: number; subType?: string | undefined }>
  startDate: number
  endDate: number
  eventTime: number
  /** The run the slice belongs to (`extensions.runId`). */
  runId?: string | undefined
}

/** Puts a TimeSpentEvent together from valid parts, without validating again. */
export function assembleTimeSpentEvent(parts: TimeSpentEventParts): TimeSpentEvent {
  const startDate = toCaliperTime(parts.startDate)
  const endDate = toCaliperTime(parts.endDate)
  return {
    '@context': CALIPER_CONTEXT,
    id: parts.id,
    type: 'TimeSpentEvent',
    profile: TIMEBACK_PROFILE,
    eventTime: toCaliperTime(parts.eventTime),
    action: 'SpentTime',
    actor: parts.actor,
    object: parts.object,
    generated: {
      id: parts.generatedId,
      type: 'TimebackTimeSpentMetricsCollection',
      items: parts.items.map(
        (i): TimeSpentMetric => ({
          type: i.type,
          value: i.value,
          ...(i.subType !== undefined && { subType: i.subType }),
          startDate,
          endDate,
        }),
      ),
    },
    ...(parts.runId && { extensions: { runId: parts.runId } }),
  }
}
