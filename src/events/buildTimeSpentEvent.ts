import * as z from 'zod/mini'
import { strictObject } from './strictObject.js'
import { assembleTimeSpentEvent } from './assembleTimeSpentEvent.js'
import { TIME_SPENT_TYPES, type TimeSpentType } from './constants.js'
import { activityContextInput, actorInput, type ActivityContextInput, type TimebackActor } from './contextSchemas.js'
import { createEventId } from './eventId.js'
import type { TimeSpentEvent } from './eventTypes.js'
import { eventId, name, nonEmpty, nonNegative, oneOf, uri } from './fieldSchemas.js'
import { parseOrThrow } from './parse.js'
import { timeInput, toEpochMs, type TimeInput } from './timeInput.js'
import { toActivityContext, toTimebackUser } from './toEventParts.js'

/** One kind of time in `TimeSpentEventInput.items`. */
export interface TimeSpentItemInput {
  type: TimeSpentType
  /** Seconds spent; non-negative. */
  value: number
  /** A finer label, e.g. `'eating'` for waste. */
  subType?: string
}

/** What `buildTimeSpentEvent` takes. */
export interface TimeSpentEventInput {
  actor: TimebackActor
  object: ActivityContextInput
  /** One entry per kind of time; each `type` + `subType` at most once. */
  items: TimeSpentItemInput[]
  /** When the measured stretch began and ended; copied onto every item. */
  startDate: TimeInput
  endDate: TimeInput
  /** Defaults to `endDate`. */
  eventTime?: TimeInput
  /** Defaults to a new `urn:uuid:`; pass one to rebuild an event with a stable id. */
  id?: string
  /** Defaults to a new `urn:uuid:`. */
  generatedId?: string
  /** The run (attempt) this time belongs to, `urn:uuid:`; sent as `extensions.runId`. */
  runId?: string
}

const item = /* @__PURE__ */ strictObject({
  type: oneOf(TIME_SPENT_TYPES),
  value: nonNegative,
  subType: z.optional(name),
})

const timeSpentInput = /* @__PURE__ */ strictObject({
    actor: actorInput,
    object: activityContextInput,
    items: nonEmpty(item).check(
      z.refine(
        (items) => new Set(items.map((i) => `${i.type}\u0000${i.subType ?? ''}`)).size === items.length,
        'each type (and subType) may appear only once',
      ),
    ),
    startDate: timeInput,
    endDate: timeInput,
    eventTime: z.optional(timeInput),
    id: z.optional(eventId),
    generatedId: z.optional(uri),
    runId: z.optional(eventId),
  })
  .check(
    z.refine((input) => toEpochMs(input.startDate) <= toEpochMs(input.endDate), {
      message: 'must not be before startDate',
      path: ['endDate'],
    }),
  )

/**
 * Builds a Timeback `TimeSpentEvent` (action `SpentTime`).
 *
 * @example
 * const event = buildTimeSpentEvent({
 *   actor: { id: 'https://sis.example/users/123', email: 'student@example.com' },
 *   object: { id: 'https://app.example/lessons/7', subject: 'Math', app: { name: 'Math App' } },
 *   items: [{ type: 'active', value: 42 }, { type: 'inactive', value: 18 }],
 *   startDate: Date.parse('2025-01-01T10:00:00Z'), endDate: Date.parse('2025-01-01T10:01:00Z'),
 * })
 * @throws {TimebackValidationError} naming every bad field.
 */
export function buildTimeSpentEvent(input: TimeSpentEventInput): TimeSpentEvent {
  const valid = parseOrThrow(timeSpentInput, input, 'buildTimeSpentEvent')
  const startMs = toEpochMs(valid.startDate)
  const endMs = toEpochMs(valid.endDate)
  return assembleTimeSpentEvent({
    id: valid.id ?? createEventId(),
    generatedId: valid.generatedId ?? createEventId(),
    actor: toTimebackUser(valid.actor),
    object: toActivityContext(valid.object),
    items: valid.items,
    startDate: startMs,
    endDate: endMs,
    eventTime: valid.eventTime === undefined ? endMs : toEpochMs(valid.eventTime),
    runId: valid.runId,
  })
}
