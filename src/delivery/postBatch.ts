import { buildEnvelope } from '../events/buildEnvelope.js'
import type { TimebackEvent } from '../events/eventTypes.js'
import { classifyOutcome, type BatchOutcome } from './classifyOutcome.js'
import { withDeadline } from '../deadline.js'
import type { ServerClock } from './serverClock.js'

export interface PostOptions {
  endpoint: string
  sensor: string
  credentials: RequestCredentials
  headers?: () => HeadersInit | Promise<HeadersInit>
  timeoutMs: number
  /** Learns the server's clock from every answer. */
  clock: ServerClock
}

/**
 * POSTs one envelope of `events`, dated with `offset` added to the device's clock, as JSON and
 * classifies the answer. Never throws. Its `sendTime` is read on that same clock: the proxy
 * moves the dates by its own clock minus `sendTime`, which puts them right whatever `offset`
 * was off by (an older estimate, or none: 0). The
 * `headers()` hook and the request each have `timeoutMs`: a hook that never settles must not
 * hold the cross-tab flush lock.
 */
export async function postBatch(events: TimebackEvent[], options: PostOptions, offset: number): Promise<BatchOutcome> {
  const abort = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const headers = new Headers(await withDeadline(Promise.resolve(options.headers?.()), options.timeoutMs, 'headers()'))
    headers.set('content-type', 'application/json')
    timer = setTimeout(() => abort.abort(), options.timeoutMs)
    const sent = Date.now()
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(buildEnvelope(options.sensor, events, sent + offset)),
      credentials: options.credentials,
      signal: abort.signal,
    })
    const { status, redirected } = response
    const body: unknown = await response.json().catch(() => undefined)
    options.clock.learn(sent, body, response.headers.get('date'))
    const http = { status, redirected, retryAfter: response.headers.get('retry-after'), body }
    return classifyOutcome(http, events.map((e) => e.id), Date.now())
  } catch (error) {
    return { kind: 'retry', error }
  } finally {
    clearTimeout(timer)
  }
}
