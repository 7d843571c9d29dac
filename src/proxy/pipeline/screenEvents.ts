import { isEventId } from '../../events/eventId.js'
import { timebackEventSchema } from '../../events/eventSchemas.js'
import type { TimebackEvent } from '../../events/eventTypes.js'
import { validateEvent } from '../../events/validateEnvelope.js'
import type { FieldIssue } from '../../events/validationError.js'
import type { AuthorizedUser } from './authorizedUser.js'
import { compileCheck } from './compiledCheck.js'
import { ledgerKey } from '../store/ledger.js'

export interface Rejection {
  id: string
  errors: FieldIssue[]
}

export interface Screened {
  valid: TimebackEvent[]
  rejected: Rejection[]
  /**
   * Ids of valid events whose actor is not the user (by id, or by email when the user has one):
   * another student's on a shared computer, which wait for their student.
   */
  othersWaiting: string[]
}

// Bounds that keep an answer a few KB and validation in milliseconds whatever the body holds:
// no event of ours has an array longer than a few items.
const MAX_ARRAY_ITEMS = 100
const MAX_ISSUES_PER_EVENT = 5
const MAX_ISSUES_PER_REQUEST = 100
const MAX_DEPTH = 16

/** What is too large in an event: an array over the bound, or nesting too deep (path built on the way out). */
function oversized(value: unknown, depth = 0): { keys: string[]; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (depth > MAX_DEPTH) return { keys: [], message: `nested more than ${MAX_DEPTH} levels deep` }
  const array = Array.isArray(value)
  if (array && value.length > MAX_ARRAY_ITEMS) return { keys: [], message: `more than ${MAX_ARRAY_ITEMS} items` }
  for (const key in value) {
    const found = oversized((value as Record<string, unknown>)[key], depth + 1)
    if (found) {
      found.keys.unshift(array ? `[${key}]` : key)
      return found
    }
  }
  return undefined
}

/** `['data', '[0]', 'actor']` → `data[0].actor` */
const pathOf = (keys: string[]) => keys.reduce((path, key) => (key.startsWith('[') || !path ? path + key : `${path}.${key}`), '')

/** The event schema as a yes/no check: zod is asked only about the events it refuses. */
const isValidEvent = compileCheck(timebackEventSchema)

const isUser = (actor: { id: string; email: string }, user: AuthorizedUser) =>
  actor.id === user.id && (user.email === undefined || actor.email.toLowerCase() === user.email.toLowerCase())

/**
 * Validates each event of an envelope with the tracker's own schemas and binds it to the
 * signed-in user. Invalid events are rejected by id (or by position, when the id is not one:
 * a hostile id is not echoed back); an id seen twice is forwarded once.
 */
export function screenEvents(data: unknown[], user: AuthorizedUser): Screened {
  const result: Screened = { valid: [], rejected: [], othersWaiting: [] }
  const seen = new Set<string>()
  let issueBudget = MAX_ISSUES_PER_REQUEST
  const reject = (id: string, errors: FieldIssue[]) => {
    const kept = errors.slice(0, Math.min(MAX_ISSUES_PER_EVENT, issueBudget))
    issueBudget -= kept.length
    if (kept.length < errors.length) kept.push({ path: '', message: `and ${errors.length - kept.length} more issue(s)` })
    result.rejected.push({ id, errors: kept })
  }
  for (const [index, raw] of data.entries()) {
    const rawId = (raw as { id?: unknown } | null)?.id
    const id = typeof rawId === 'string' && isEventId(rawId) ? rawId : `data[${index}]`
    const tooLarge = oversized(raw)
    if (tooLarge) {
      reject(id, [{ path: pathOf(tooLarge.keys), message: tooLarge.message }])
      continue
    }
    const checked = isValidEvent(raw) ? { ok: true as const, value: raw as TimebackEvent } : validateEvent(raw)
    if (!checked.ok) reject(id, checked.issues)
    else if (!isUser(checked.value.actor, user)) result.othersWaiting.push(id)
    else if (!seen.has(ledgerKey(id))) {
      seen.add(ledgerKey(id))
      result.valid.push(checked.value)
    }
  }
  return result
}
