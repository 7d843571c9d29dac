import { safeParse, type core } from 'zod/mini'
import { TimebackValidationError } from './validationError.js'
import { toFieldIssues } from './validationError.js'

/**
 * Validates `value` against `schema` and returns the parsed value, or throws one
 * {@link TimebackValidationError} naming every bad field, prefixed with `label`.
 */
export function parseOrThrow<T extends core.$ZodType>(schema: T, value: unknown, label: string): core.output<T> {
  const result = safeParse(schema, value, { reportInput: true })
  if (result.success) return result.data
  throw new TimebackValidationError(label, toFieldIssues(result.error.issues))
}
