import { safeParse, type core } from 'zod/mini'
import { envelopeSchema, envelopeShellSchema, timebackEventSchema } from './eventSchemas.js'
import type { CaliperEnvelope, TimebackEvent } from './eventTypes.js'
import { toFieldIssues, type FieldIssue } from './validationError.js'

/** What the validators return: the value, or every issue by field path. */
export type Validation<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] }

const validate = <T>(schema: core.$ZodType, value: unknown): Validation<T> => {
  const result = safeParse(schema, value, { reportInput: true })
  return result.success ? { ok: true, value: value as T } : { ok: false, issues: toFieldIssues(result.error.issues) }
}

/** Checks one received event against the Timeback schemas; issues are named by field path. */
export const validateEvent = (event: unknown) => validate<TimebackEvent>(timebackEventSchema, event)

/** Checks a received envelope (sensor, sendTime, dataVersion, data[…]). */
export const validateEnvelope = (envelope: unknown) => validate<CaliperEnvelope>(envelopeSchema, envelope)

/** Checks only the envelope around the events: sensor, sendTime if present, dataVersion, a non-empty data array. */
export const validateEnvelopeShell = (envelope: unknown) =>
  validate<{ sensor: string; sendTime?: string; data: unknown[] }>(envelopeShellSchema, envelope)
