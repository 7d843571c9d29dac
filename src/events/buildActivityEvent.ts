import * as z from 'zod/mini'
import { strictObject } from './strictObject.js'
import { assembleActivityEvent } from './assembleActivityEvent.js'
import { activityContextInput, actorInput, type ActivityContextInput, type TimebackActor } from './contextSchemas.js'
import { createEventId } from './eventId.js'
import type { ActivityEvent } from './eventTypes.js'
import { bool, eventId, uri } from './fieldSchemas.js'
import { activityMetricsInput, attemptInput, type ActivityMetrics } from './metricSchemas.js'
import { parseOrThrow } from './parse.js'
import { timeInput, toEpochMs, type TimeInput } from './timeInput.js'
import { toActivityContext, toTimebackUser } from './toEventParts.js'

/** What `buildActivityEvent` takes. */
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
  /** The run (attempt) this completes, `urn:uuid:`; sent as `extensions.runId`. */
  runId?: string
}

const activityInput = /* @__PURE__ */ strictObject({
  actor: actorInput,
  object: activityContextInput,
  metrics: activityMetricsInput,
  attempt: z.optional(attemptInput),
  process: z.optional(bool),
  eventTime: z.optional(timeInput),
  id: z.optional(eventId),
  generatedId: z.optional(uri),
  runId: z.optional(eventId),
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
  return assembleActivityEvent({
    ...valid,
    id: valid.id ?? createEventId(),
    generatedId: valid.generatedId ?? createEventId(),
    actor: toTimebackUser(valid.actor),
    object: toActivityContext(valid.object),
    metrics: valid.metrics,
    eventTime: valid.eventTime === undefined ? Date.now() : toEpochMs(valid.eventTime),
  })
}
