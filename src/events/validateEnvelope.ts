import { safeParse } from 'zod/mini'
import { envelopeSchema, timebackEventSchema } from './eventSchemas.js'
import type { CaliperEnvelope, TimebackEvent } from './eventTypes.js'
import { toFieldIssues, type FieldIssue } from './validationError.js'

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] }

/** Checks one received event against the Timeback schemas; issues are named by field path. */
export function validateEvent(event: unknown): Validation<TimebackEvent> {
  const result = safeParse(timebackEventSchema, event, { reportInput: true })
  return result.success
    ? { ok: true, value: event as TimebackEvent }
    : { ok: false, issues: toFieldIssues(result.error.issues) }
}

/** Checks a received envelope (sensor, sendTime, dataVersion, data[…]). */
export function validateEnvelope(envelope: unknown): Validation<CaliperEnvelope> {
  const result = safeParse(envelopeSchema, envelope, { reportInput: true })
  return result.success
    ? { ok: true, value: envelope as CaliperEnvelope }
    : { ok: false, issues: toFieldIssues(result.error.issues) }
}
