// The actor (TimebackUser) and object (TimebackActivityContext) of every Timeback event.
import * as z from 'zod/mini'
import { strictObject } from './strictObject.js'
import { SUBJECTS, USER_ROLES } from './constants.js'
import { email, eventId, name, oneOf, uri } from './fieldSchemas.js'

/** The student, as the app knows them: `{ id, email }` plus optional `name` and `role`. */
export const actorInput = /* @__PURE__ */ strictObject({
  id: uri,
  email,
  name: z.optional(name),
  role: z.optional(oneOf(USER_ROLES)),
})

const named = /* @__PURE__ */ strictObject({ name, id: z.optional(uri) })

/** The app reporting the events. `name` is required by the platform's stricter schema copy. */
export const appInput = named

const activityShape = {
  id: uri,
  subject: oneOf(SUBJECTS),
  activity: z.optional(named),
  course: z.optional(strictObject({ id: uri, name })),
}

/**
 * What the student is doing, as `tracker.startActivity()` takes it: the activity URL (`id`),
 * its `subject`, and optionally the activity and course. A course needs both `id` (its
 * OneRoster URL) and `name`. `runId` resumes a run the app saved (`activity.runId`).
 */
export const activityTargetInput = /* @__PURE__ */ strictObject({ ...activityShape, runId: z.optional(eventId) })

/** The event `object` as the builders take it: the activity target plus the reporting `app`. */
export const activityContextInput = /* @__PURE__ */ strictObject({ ...activityShape, app: appInput })

/** The signed-in student, as `createTracker`'s `actor` and the builders take it: `{ id, email, name?, role? }`. */
export type TimebackActor = z.infer<typeof actorInput>
/** The app reporting the events, as `createTracker`'s `app` takes it: `{ name, id? }`. */
export type TimebackApp = z.infer<typeof appInput>
/** An event's `object` as the builders take it: an `ActivityTarget` without `runId`, plus `app`. */
export type ActivityContextInput = z.infer<typeof activityContextInput>
/**
 * What the student is doing, as `tracker.startActivity()` and the adapters take it: the
 * activity URL (`id`), its `subject`, optionally `activity` and `course`, and `runId` to resume
 * a run.
 */
export type ActivityTarget = z.infer<typeof activityTargetInput>
