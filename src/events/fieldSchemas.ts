// Field-level schemas shared by the builders' input checks and the full event schemas.
import * as z from 'zod/mini'
import { isCaliperTime } from './caliperTime.js'
import { isEventId } from './eventId.js'
import { isAbsoluteUri } from './uri.js'

/** An absolute `https://…` URL or `urn:…` name, as the platform's `format: uri` fields require. */
export const uri = z.string().check(z.refine(isAbsoluteUri, 'must be an absolute URL (https://…) or URN (urn:…)'))

/** `urn:uuid:<uuid>` */
export const eventId = z.string().check(z.refine(isEventId, 'must be urn:uuid:<uuid>'))

/** An ISO 8601 instant with an explicit offset: `2024-04-24T14:12:00.000Z`. */
export const caliperTime = z.string().check(z.refine(isCaliperTime, 'must be an ISO 8601 time like 2024-04-24T14:12:00.000Z'))

// The local part is what JSON Schema `format: email` (and the platform) accepts, minus quoting;
// domain labels may not start or end with a hyphen, the TLD is alphabetic.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/

export const email = z.string().check(z.maxLength(254), z.regex(EMAIL, 'invalid email'))

/** A human-readable name: non-empty, at most 500 characters. */
export const name = z.string().check(z.minLength(1), z.maxLength(500), z.refine((s) => s.trim().length > 0, 'must not be blank'))

/** A finite number (rejects NaN and ±Infinity, which JSON cannot carry). */
export const finite = z.number().check(z.refine(Number.isFinite, 'must be a finite number'))

/** A non-negative whole number. */
export const count = z.int().check(z.gte(0))
