export { assembleActivityEvent } from './assembleActivityEvent.js'
export type { ActivityEventParts } from './assembleActivityEvent.js'
export { assembleTimeSpentEvent } from './assembleTimeSpentEvent.js'
export type { TimeSpentEventParts } from './assembleTimeSpentEvent.js'
export { buildActivityEvent } from './buildActivityEvent.js'
export type { ActivityEventInput } from './buildActivityEvent.js'
export { activityMetricsInput, attemptInput } from './metricSchemas.js'
export type { ActivityMetrics } from './metricSchemas.js'
export { buildTimeSpentEvent } from './buildTimeSpentEvent.js'
export type { TimeSpentEventInput, TimeSpentItemInput } from './buildTimeSpentEvent.js'
export { buildEnvelope } from './buildEnvelope.js'
export { toCaliperTime } from './caliperTime.js'
export {
  ACTIVITY_METRIC_TYPES,
  CALIPER_CONTEXT,
  SUBJECTS,
  TIME_SPENT_TYPES,
  TIMEBACK_PROFILE,
  USER_ROLES,
} from './constants.js'
export type { ActivityMetricType, Subject, TimeSpentType, UserRole } from './constants.js'
export { activityContextInput, activityTargetInput, actorInput, appInput } from './contextSchemas.js'
export { toActivityContext, toTimebackUser } from './toEventParts.js'
export type { ActivityContextInput, ActivityTarget, TimebackActor, TimebackApp } from './contextSchemas.js'
export { createEventId, isEventId } from './eventId.js'
export { runIdOf } from './runIdOf.js'
export {
  activityContextSchema,
  activityEventSchema,
  envelopeSchema,
  envelopeShellSchema,
  timebackEventSchema,
  timebackUserSchema,
  timeSpentEventSchema,
} from './eventSchemas.js'
export type {
  ActivityEvent,
  ActivityMetric,
  CaliperEnvelope,
  EventExtensions,
  TimebackActivityContext,
  TimebackEvent,
  TimebackUser,
  TimeSpentEvent,
  TimeSpentMetric,
} from './eventTypes.js'
export { parseOrThrow } from './parse.js'
export type { TimeInput } from './timeInput.js'
export { isAbsoluteUri } from './uri.js'
export { validateEnvelope, validateEnvelopeShell, validateEvent } from './validateEnvelope.js'
export type { Validation } from './validateEnvelope.js'
export { TimebackValidationError } from './validationError.js'
export type { FieldIssue } from './validationError.js'
