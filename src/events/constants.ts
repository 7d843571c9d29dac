/** Caliper 1.2 JSON-LD context, set as `@context` on every event and as the envelope's `dataVersion`. */
export const CALIPER_CONTEXT = 'http://purl.imsglobal.org/ctx/caliper/v1p2'

/** The Timeback Caliper profile every event belongs to. */
export const TIMEBACK_PROFILE = 'TimebackProfile'

/** Subjects the Timeback Events API accepts for `object.subject`. */
export const SUBJECTS = [
  'Reading',
  'Language',
  'Vocabulary',
  'Social Studies',
  'Writing',
  'Science',
  'FastMath',
  'Math',
  'None',
] as const
/** One of `SUBJECTS`. */
export type Subject = (typeof SUBJECTS)[number]

/** Kinds of time a `TimeSpentEvent` reports, in seconds. */
export const TIME_SPENT_TYPES = ['active', 'inactive', 'unknown', 'waste', 'anti-pattern'] as const
/** One of `TIME_SPENT_TYPES`. */
export type TimeSpentType = (typeof TIME_SPENT_TYPES)[number]

/** Metrics an `ActivityEvent` can carry. */
export const ACTIVITY_METRIC_TYPES = ['totalQuestions', 'correctQuestions', 'xpEarned', 'masteredUnits'] as const
/** One of `ACTIVITY_METRIC_TYPES`. */
export type ActivityMetricType = (typeof ACTIVITY_METRIC_TYPES)[number]

/** Roles the Timeback user schema allows. */
export const USER_ROLES = ['student', 'teacher', 'admin', 'guide'] as const
/** One of `USER_ROLES`. */
export type UserRole = (typeof USER_ROLES)[number]
