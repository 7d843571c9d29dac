import { retryAfterMs } from './backoff.js'
import { readProxyAnswer, type ProxyAnswer } from './proxyProtocol.js'

/** What to do after POSTing a batch. */
export type BatchOutcome =
  /** A proxy answer: `done` ids leave the journal, `rejected` go to dead letters, `unanswered` stay. */
  | {
      kind: 'answered'
      status: number
      done: string[]
      rejected: Array<{ id: string; errors: unknown }>
      unanswered: string[]
      /** The answer carried `serverTime`: this proxy puts dates right by the envelope's `sendTime`. */
      corrects: boolean
    }
  /** 413: split the batch (a single event that is still too big is refused for good). */
  | { kind: 'split'; status: number }
  /** 401/403, a redirect, a 2xx that is not a proxy answer: stop until `flush()` or a reload. */
  | { kind: 'pause'; status: number; why: string }
  /** Network error, timeout, 408, 429, 5xx, a 400/422 that is not the proxy's: retry later. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error?: unknown }

/** The parts of an HTTP response the outcome depends on (the body parsed as JSON, if it was). */
export interface HttpAnswer {
  status: number
  redirected: boolean
  retryAfter: string | null
  body: unknown
}

/** Which of `ids` an answer acknowledges, refuses for good, or does not mention. */
function byAnswer(status: number, answer: ProxyAnswer, ids: string[], corrects: boolean): BatchOutcome {
  const done = new Set([...answer.accepted, ...answer.duplicates])
  const rejected = answer.rejected.filter((r) => ids.includes(r.id))
  const refused = new Set(rejected.map((r) => r.id))
  return {
    kind: 'answered',
    status,
    done: ids.filter((id) => done.has(id)),
    rejected,
    unanswered: ids.filter((id) => !done.has(id) && !refused.has(id)),
    corrects,
  }
}

/**
 * Classifies the answer to a batch of `ids`. Pure. Only a body in the proxy protocol's shape
 * acknowledges or refuses anything: a sign-in redirect, a CDN's or captive portal's HTML 200,
 * a reverse proxy's or WAF's 400 are never taken as the events' fate.
 */
export function classifyOutcome(http: HttpAnswer, ids: string[], now: number): BatchOutcome {
  const { status } = http
  const answer = readProxyAnswer(http.body)
  if (http.redirected) return { kind: 'pause', status, why: 'the proxy route redirected: is the session expired?' }
  if (status === 401 || status === 403) return { kind: 'pause', status, why: `the proxy answered ${status}` }
  if (answer && (status < 300 || ((status === 400 || status === 422) && answer.rejected.length))) {
    return byAnswer(status, answer, ids, typeof (http.body as { serverTime?: unknown }).serverTime === 'number')
  }
  if (status < 300) return { kind: 'pause', status, why: `${status} is not a proxy answer` }
  if (status === 413) return { kind: 'split', status }
  const retry: BatchOutcome = { kind: 'retry', status }
  const after = retryAfterMs(http.retryAfter, now)
  if (after !== undefined) retry.retryAfterMs = after
  return retry
}
