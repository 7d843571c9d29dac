// Field-level schemas shared by the builders' input checks and the full event schemas.
import * as z from 'zod/mini'
import { isCaliperTime } from './caliperTime.js'
import { isEventId } from './eventId.js'
import { isAbsoluteUri } from './uri.js'
import { typeName } from './validationError.js'

/** An absolute `https://…` URL or `urn:…` name, as the platform's `format: uri` fields require. */
/**
 * A string passing `checks`, with zod's own issue for anything else ("expected string, got
 * number"), after which no check runs. Built on `z.unknown()`, like `passing`: zod's string class
 * stays out of the browser bundle.
 */
export const text = (...checks: Array<z.core.$ZodCheck<string>>) =>
  z.unknown().check(
    z.refine((v) => typeof v === 'string', { error: (issue) => `expected string, got ${typeName(issue.input)}`, abort: true }),
    ...(checks as Array<z.core.$ZodCheck<unknown>>),
  ) as unknown as z.ZodMiniType<string>

export const uri = /* @__PURE__ */ text(z.refine(isAbsoluteUri, 'must be an absolute URL (https://…) or URN (urn:…)'))

/** `urn:uuid:<uuid>` */
export const eventId = /* @__PURE__ */ text(z.refine(isEventId, 'must be urn:uuid:<uuid>'))

/** An ISO 8601 instant with an explicit offset: `2024-04-24T14:12:00.000Z`. */
export const caliperTime = /* @__PURE__ */ text(z.refine(isCaliperTime, 'must be an ISO 8601 time like 2024-04-24T14:12:00.000Z'))

// The local part is what JSON Schema `format: email` (and the platform) accepts, minus quoting;
// domain labels may not start or end with a hyphen, the TLD is alphabetic.
// (`\w` is [A-Za-z0-9_]; the `i` flag covers upper case in the domain.)
const EMAIL = /^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*@(?:[a-z\d](?:[a-z\d-]*[a-z\d])?\.)+[a-z]{2,63}$/i

// Every rule here is a predicate and the words a person needs (zod/mini ships no messages), and
// using refinements alone keeps zod's many check classes out of the browser bundle.
export const email = /* @__PURE__ */ text(z.refine((s) => s.length <= 254 && EMAIL.test(s), 'invalid email'))

/** A human-readable name: not empty or blank, at most 500 characters. */
export const name = /* @__PURE__ */ text(
  z.refine((s) => s.length > 0, 'must not be empty'),
  z.refine((s) => s.length === 0 || s.trim().length > 0, 'must not be blank'),
  z.refine((s) => s.length <= 500, 'must be at most 500 characters'),
)

/** Any value passing `test` (functions, dates…), with the message to show otherwise. */
export const passing = <T>(test: (value: unknown) => boolean, message: string) => z.unknown().check(z.refine(test, message)) as unknown as z.ZodMiniType<T>

/** `true` or `false`. */
export const bool = /* @__PURE__ */ passing<boolean>((v) => typeof v === 'boolean', 'must be true or false')

/** A finite number (JSON cannot carry NaN or ±Infinity). */
export const finite = /* @__PURE__ */ passing<number>(Number.isFinite, 'must be a finite number')

/** A finite number ≥ 0. */
export const nonNegative = /* @__PURE__ */ passing<number>((v) => Number.isFinite(v) && (v as number) >= 0, 'must be a finite number ≥ 0')

/** A whole number ≥ `min` (of `unit`, for the message). */
export const wholeAtLeast = (min: number, unit = '') =>
  passing<number>((v) => Number.isInteger(v) && (v as number) >= min, `must be a whole number${unit && ` of ${unit}`} ≥ ${min}`)

/** A non-negative whole number. */
export const count = /* @__PURE__ */ wholeAtLeast(0)

/** An array with at least one item. */
export const nonEmpty = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.refine((a) => a.length > 0, 'must have at least 1 item'))

/** One of `values`, said as zod says it (a predicate keeps zod's enum class out of the script tag). */
export const oneOf = <const T extends readonly string[]>(values: T) =>
  passing<T[number]>((v) => values.includes(v as T[number]), `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`)
