// Schemas for whole Timeback events and envelopes, as received (the proxy validates with these).
// They follow the newest Events API document and also enforce what the stricter published copy
// adds on shared fields (app.name always, course.name with a course), plus this library's rules:
// counts are whole numbers, correctQuestions ≤ totalQuestions, values finite.
import * as z from 'zod/mini'
import { ACTIVITY_METRIC_TYPES, CALIPER_CONTEXT, SUBJECTS, TIME_SPENT_TYPES, USER_ROLES } from './constants.js'
import { bool, caliperTime, email, eventId, finite, name, nonEmpty, nonNegative, uri, wholeAtLeast } from './fieldSchemas.js'

const extensions = /* @__PURE__ */ z.optional(z.record(z.string(), z.unknown()))

/** zod/mini schema of an event's `actor`, as received. */
export const timebackUserSchema = /* @__PURE__ */ z.strictObject({
  id: uri,
  type: z.literal('TimebackUser'),
  email,
  name: z.optional(name),
  role: z.optional(z.enum(USER_ROLES)),
  extensions,
})

const part = /* @__PURE__ */ z.looseObject({ id: z.optional(uri), name, extensions })

/** zod/mini schema of an event's `object`, as received. */
export const activityContextSchema = /* @__PURE__ */ z.looseObject({
  id: uri,
  type: z.literal('TimebackActivityContext'),
  subject: z.enum(SUBJECTS),
  app: part,
  activity: z.optional(part),
  course: z.optional(part),
  process: z.optional(bool),
})

// Caliper's optional event properties (the Envelope's Event schema allows these and no others).
const optionalEventProperties = {
  edApp: z.optional(z.unknown()),
  target: z.optional(z.unknown()),
  referrer: z.optional(z.unknown()),
  group: z.optional(z.unknown()),
  membership: z.optional(z.unknown()),
  session: z.optional(z.unknown()),
  federatedSession: z.optional(z.unknown()),
  // Free-form in the published documents; the run id the tracker puts here must be an event id.
  extensions: z.optional(z.looseObject({ runId: z.optional(eventId) })),
}

const eventBase = {
  '@context': z.optional(z.literal(CALIPER_CONTEXT)),
  id: eventId,
  profile: z.literal('TimebackProfile'),
  eventTime: caliperTime,
  actor: timebackUserSchema,
  object: activityContextSchema,
  ...optionalEventProperties,
}

const timeSpentMetric = /* @__PURE__ */ z.strictObject({
  type: z.enum(TIME_SPENT_TYPES),
  value: nonNegative,
  subType: z.optional(name),
  startDate: z.optional(caliperTime),
  endDate: z.optional(caliperTime),
  extensions,
})

/** zod/mini schema of a whole `TimeSpentEvent`, as received. */
export const timeSpentEventSchema = /* @__PURE__ */ z.strictObject({
  ...eventBase,
  type: z.literal('TimeSpentEvent'),
  action: z.literal('SpentTime'),
  generated: z.strictObject({
    id: uri,
    type: z.literal('TimebackTimeSpentMetricsCollection'),
    items: z.array(timeSpentMetric),
    extensions,
  }),
})

const activityMetric = z
  .strictObject({ type: z.enum(ACTIVITY_METRIC_TYPES), value: finite, extensions })
  .check(
    z.refine((m) => m.type === 'xpEarned' || Number.isInteger(m.value) && m.value >= 0, {
      message: 'must be a whole number ≥ 0',
      path: ['value'],
    }),
  )

/** zod/mini schema of a whole `ActivityEvent`, as received. */
export const activityEventSchema = /* @__PURE__ */ z.strictObject({
  ...eventBase,
  type: z.literal('ActivityEvent'),
  action: z.literal('Completed'),
  generated: z
    .strictObject({
      id: uri,
      type: z.literal('TimebackActivityMetricsCollection'),
      attempt: z.optional(wholeAtLeast(1)),
      items: nonEmpty(activityMetric),
      extensions,
    })
    .check(
      z.refine((g) => new Set(g.items.map((i) => i.type)).size === g.items.length, {
        message: 'each metric type may appear only once',
        path: ['items'],
      }),
      z.refine(
        (g) => {
          const total = g.items.find((i) => i.type === 'totalQuestions')?.value
          const correct = g.items.find((i) => i.type === 'correctQuestions')?.value
          return total === undefined || correct === undefined || correct <= total
        },
        { message: 'correctQuestions must not exceed totalQuestions', path: ['items'] },
      ),
    ),
})

/** zod/mini schema of either event, told apart by `type`. */
export const timebackEventSchema = /* @__PURE__ */ z.discriminatedUnion('type', [timeSpentEventSchema, activityEventSchema])

/**
 * The envelope around events, checked before the events themselves (the proxy answers event by
 * event, and sets its own sendTime when it forwards).
 */
export const envelopeShellSchema = /* @__PURE__ */ z.looseObject({
  sensor: uri,
  sendTime: z.optional(caliperTime),
  dataVersion: z.literal(CALIPER_CONTEXT),
  data: nonEmpty(z.unknown()),
})

/** zod/mini schema of a whole envelope: sensor, sendTime, dataVersion, and the events in `data`. */
export const envelopeSchema = /* @__PURE__ */ z.strictObject({
  sensor: uri,
  sendTime: caliperTime,
  dataVersion: z.literal(CALIPER_CONTEXT),
  data: nonEmpty(timebackEventSchema),
})
