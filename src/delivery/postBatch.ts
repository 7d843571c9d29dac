import { buildEnvelope } from '../events/buildEnvelope.js'
import type { TimebackEvent } from '../events/eventTypes.js'
import { classifyOutcome, type BatchOutcome } from './classifyOutcome.js'
import { withDeadline } from '../deadline.js'
import { onServerClock } from './clockEstimate.js'
import { learnServerClock, serverOffset } from './serverClock.js'

export interface PostOptions {
  endpoint: string
  sensor: string
  credentials: RequestCredentials
  headers?: () => HeadersInit | Promise<HeadersInit>
  timeoutMs: number
  /** localStorage key of the server's clock, learnt from every answer; envelopes are dated on it. */
  clockKey: string
}

/**
 * POSTs one envelope of `events` (one student's; none asks only for a delivery token) with that
 * student's delivery `token`, as JSON, and classifies the answer, with the token it carries for
 * the signed-in student. Never throws. The
 * `headers()` hook and the request each have `timeoutMs`: a hook that never settles must not
 * hold the cross-tab flush lock.
 */
export async function postBatch(events: TimebackEvent[], options: PostOptions, token?: string): Promise<BatchOutcome & { token?: unknown }> {
  const abort = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const headers = new Headers(await withDeadline(Promise.resolve(options.headers?.()), options.timeoutMs, 'headers()'))
    headers.set('content-type', 'application/json')
    timer = setTimeout(() => abort.abort(), options.timeoutMs)
    const offset = serverOffset(options.clockKey)
    const sent = Date.now()
    const start = performance.now()
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers,
      // `[0]` then `data`: buildEnvelope refuses an empty list, which here asks only for a token.
      body: JSON.stringify(onServerClock({ ...buildEnvelope(options.sensor, [0], sent), data: events, deliveryToken: token }, offset)),
      credentials: options.credentials,
      signal: abort.signal,
    })
    const rtt = performance.now() - start // to the answer's headers: the body came after
    const { status, redirected } = response
    const body: unknown = await response.json().catch(() => undefined)
    learnServerClock(options.clockKey, sent, rtt, body, response.headers.get('date'))
    const http = { status, redirected, retryAfter: response.headers.get('retry-after'), body }
    return { ...classifyOutcome(http, events.map((e) => e.id), Date.now()), token: (body as { deliveryToken?: unknown } | undefined)?.deliveryToken }
  } catch (error) {
    return { kind: 'retry', error }
  } finally {
    clearTimeout(timer)
  }
}
