import * as z from 'zod/mini'
import { strictObject } from './strictObject.js'
import { ACTIVITY_METRIC_TYPES } from './constants.js'
import { count, finite, wholeAtLeast } from './fieldSchemas.js'

/** What the student achieved. At least one metric; counts are whole numbers ≥ 0. */
export interface ActivityMetrics {
  totalQuestions?: number
  correctQuestions?: number
  /** May be negative, to correct XP sent earlier (events cannot be changed once sent). */
  xpEarned?: number
  masteredUnits?: number
}

/** Schema for {@link ActivityMetrics}; also used by `activity.complete()`. */
export const activityMetricsInput = /* @__PURE__ */ strictObject({
  totalQuestions: z.optional(count),
  correctQuestions: z.optional(count),
  xpEarned: z.optional(finite),
  masteredUnits: z.optional(count),
}).check(
  z.refine((m) => ACTIVITY_METRIC_TYPES.some((type) => m[type] !== undefined), `give at least one of ${ACTIVITY_METRIC_TYPES.join(', ')}`),
  z.refine(
    (m) => m.correctQuestions === undefined || m.totalQuestions === undefined || m.correctQuestions <= m.totalQuestions,
    { message: 'must not exceed totalQuestions', path: ['correctQuestions'] },
  ),
)

/** Schema for the `attempt` number: a whole number ≥ 1. */
export const attemptInput = wholeAtLeast(1)
