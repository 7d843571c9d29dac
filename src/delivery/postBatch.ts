import { buildEnvelope } from '../events/buildEnvelope.js'
import type { TimebackEvent } from '../events/eventTypes.js'
import { retryAfterMs } from './backoff.js'
import { readProxyAnswer, type ProxyAnswer } from './proxyProtocol.js'

/** What to do after POSTing a batch. */
export type BatchOutcome =
  /** 2xx: `done` ids leave the journal; `rejected` go to dead letters; `unanswered` stay. */
  | { kind: 'answered'; status: number; done: string[]; rejected: Array<{ id: string; errors: unknown }>; unanswered: string[] }
  /** 413, or 400/422 without per-event answers: split the batch (a single event is refused). */
  | { kind: 'refused'; status: number; errors?: unknown }
  /** 401/403: stop until the app calls `flush()` again (or the next page load). */
  | { kind: 'unauthorized'; status: number }
  /** Network error, timeout, 408, 429, 5xx, anything else: retry later. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error?: unknown }

export interface PostOptions {
  endpoint: string
  sensor: string
  credentials: RequestCredentials
  headers?: () => HeadersInit | Promise<HeadersInit>
  timeoutMs: number
}

/** Which of `ids` an answer acknowledges, refuses for good, or does not mention. */
function byAnswer(status: number, answer: ProxyAnswer, ids: string[]): BatchOutcome {
  const done = new Set([...answer.accepted, ...answer.duplicates])
  const rejected = answer.rejected.filter((r) => ids.includes(r.id))
  const refused = new Set(rejected.map((r) => r.id))
  return {
    kind: 'answered',
    status,
    done: ids.filter((id) => done.has(id)),
    rejected,
    unanswered: ids.filter((id) => !done.has(id) && !refused.has(id)),
  }
}

/** POSTs one envelope of `events` as JSON and classifies the answer. Never throws. */
export async function postBatch(events: TimebackEvent[], options: PostOptions): Promise<BatchOutcome> {
  const ids = events.map((e) => e.id)
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), options.timeoutMs)
  try {
    const headers = new Headers(options.headers ? await options.headers() : undefined)
    headers.set('content-type', 'application/json')
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(buildEnvelope(options.sensor, events)),
      credentials: options.credentials,
      signal: abort.signal,
    })
    const { status } = response
    const body: unknown = await response.json().catch(() => undefined)
    const answer = readProxyAnswer(body)
    if (response.ok) return answer ? byAnswer(status, answer, ids) : { kind: 'answered', status, done: ids, rejected: [], unanswered: [] }
    if (status === 401 || status === 403) return { kind: 'unauthorized', status }
    if (status === 413 || status === 400 || status === 422) {
      // Per-event answers say which event is bad; without them the batch is split to find it.
      return answer?.rejected.length ? byAnswer(status, answer, ids) : { kind: 'refused', status, errors: body }
    }
    const retry: BatchOutcome = { kind: 'retry', status }
    const after = retryAfterMs(response.headers.get('retry-after'), Date.now())
    if (after !== undefined) retry.retryAfterMs = after
    return retry
  } catch (error) {
    return { kind: 'retry', error }
  } finally {
    clearTimeout(timer)
  }
}
