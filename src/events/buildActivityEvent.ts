import * as z from 'zod/mini'
import { toCaliperTime } from './caliperTime.js'
import { ACTIVITY_METRIC_TYPES, CALIPER_CONTEXT, TIMEBACK_PROFILE, type ActivityMetricType } from './constants.js'
import { activityContextInput, actorInput, type ActivityContextInput, type TimebackActor } from './contextSchemas.js'
import { createEventId } from './eventId.js'
import type { ActivityEvent, ActivityMetric, TimebackActivityContext, TimebackUser } from './eventTypes.js'
import { count, eventId, finite, uri } from './fieldSchemas.js'
import { parseOrThrow } from './parse.js'
import { timeInput, toEpochMs, type TimeInput } from './timeInput.js'
import { toActivityContext, toTimebackUser } from './toEventParts.js'

/** What the student achieved. At least one metric; counts are whole numbers ≥ 0. */
export interface ActivityMetrics {
  totalQuestions?: number
  correctQuestions?: number
  /** May be negative, to correct XP sent earlier (events cannot be changed once sent). */
  xpEarned?: number
  masteredUnits?: number
}

/** Schema for {@link ActivityMetrics}; also used by `activity.complete()`. */
export const activityMetricsInput = z.strictObject({
  totalQuestions: z.optional(count),
  correctQuestions: z.optional(count),
  xpEarned: z.optional(finite),
  masteredUnits: z.optional(count),
}).check(
  z.refine((m) => ACTIVITY_METRIC_TYPES.some((type) => m[type] !== undefined), 'give at least one of totalQuestions, correctQuestions, xpEarned, masteredUnits'),
  z.refine(
    (m) => m.correctQuestions === undefined || m.totalQuestions === undefined || m.correctQuestions <= m.totalQuestions,
    { message: 'must not exceed totalQuestions', path: ['correctQuestions'] },
  ),
)

/** Schema for the `attempt` number: a whole number ≥ 1. */
export const attemptInput = z.int().check(z.gte(1))

export interface ActivityEventInput {
  actor: TimebackActor
  object: ActivityContextInput
  metrics: ActivityMetrics
  /** Attempt number (≥ 1); with `process: true` a new number writes a separate Assessment Result. */
  attempt?: number
  /** Also write an Assessment Result in OneRoster (`object.process`). Default false. */
  process?: boolean
  eventTime?: TimeInput
  id?: string
  generatedId?: string
}

const activityInput = z.strictObject({
  actor: actorInput,
  object: activityContextInput,
  metrics: activityMetricsInput,
  attempt: z.optional(attemptInput),
  process: z.optional(z.boolean()),
  eventTime: z.optional(timeInput),
  id: z.optional(eventId),
  generatedId: z.optional(uri),
})

/**
 * Builds a Timeback `ActivityEvent` (action `Completed`) carrying score and XP metrics.
 *
 * @example
 * const event = buildActivityEvent({
 *   actor: { id: 'https://sis.example/users/123', email: 'student@example.com' },
 *   object: { id: 'https://app.example/lessons/7', subject: 'Math', app: { name: 'Math App' } },
 *   metrics: { totalQuestions: 10, correctQuestions: 9, xpEarned: 150 },
 *   attempt: 1,
 * })
 * @throws {TimebackValidationError} naming every bad field.
 */
export function buildActivityEvent(input: ActivityEventInput): ActivityEvent {
  const valid = parseOrThrow(activityInput, input, 'buildActivityEvent')
  const parts: ActivityEventParts = {
    id: valid.id ?? createEventId(),
    generatedId: valid.generatedId ?? createEventId(),
    actor: toTimebackUser(valid.actor),
    object: toActivityContext(valid.object),
    metrics: valid.metrics,
    eventTime: valid.eventTime === undefined ? Date.now() : toEpochMs(valid.eventTime),
  }
  if (valid.attempt !== undefined) parts.attempt = valid.attempt
  if (valid.process !== undefined) parts.process = valid.process
  return assembleActivityEvent(parts)
}

/** Parts of an ActivityEvent that are already valid (built by the tracker or checked above). */
export interface ActivityEventParts {
  id: string
  generatedId: string
  actor: TimebackUser
  object: TimebackActivityContext
  metrics: { [K in ActivityMetricType]?: number | undefined }
  attempt?: number
  process?: boolean
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
