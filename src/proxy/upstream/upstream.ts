import { CALIPER_CONTEXT } from '../../events/constants.js'
import type { TimebackEvent } from '../../events/eventTypes.js'
import type { MetricSink } from '../telemetry/proxyMetrics.js'
import { fetchOf } from './fetchOf.js'
import type { TokenSource } from './tokenSource.js'

/**
 * How one POST to the Caliper API ended, as far as the events are concerned:
 * - `accepted`: a 2xx; the platform has them.
 * - `invalid`: 400/422: something in the envelope is invalid (an event, if it was alone).
 * - `in-doubt`: sent, and the answer lost (timeout, dropped connection, 504): it may have them.
 * - `unavailable`: not taken, try later (no token, 5xx, 429, 408, 401/403, refused connection).
 * - `misconfigured`: any other answer (404 from a wrong `caliperUrl`, 405, 409, 413, a
 *   redirect): about the proxy's set-up, not the events, so they must not be blamed.
 */
export type UpstreamOutcome =
  | { kind: 'accepted'; status: number }
  | { kind: 'invalid'; status: number }
  | { kind: 'misconfigured'; status: number }
  | { kind: 'in-doubt'; reason: string }
  | { kind: 'unavailable'; reason: string; retryAfter?: string | undefined }

export interface UpstreamOptions {
  endpoint: string
  tokens: TokenSource
  fetch: typeof fetch
  timeoutMs: number
  onMetric?: MetricSink | undefined
}

// Errors that mean the request never left: nothing can have been stored.
const NOT_SENT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT)$/

export type Upstream = (sensor: string, events: TimebackEvent[]) => Promise<UpstreamOutcome>

/** POSTs envelopes to the Caliper API with a bearer token; one retry with a fresh token on 401. */
export function createUpstream(o: UpstreamOptions): Upstream {
  return async (sensor, events) => {
    const body = JSON.stringify({ sensor, sendTime: new Date().toISOString(), dataVersion: CALIPER_CONTEXT, data: events })
    for (let attempt = 0; ; attempt++) {
      let token: string
      try {
        token = await o.tokens.get()
      } catch (error) {
        return { kind: 'unavailable', reason: `no access token: ${(error as Error).message}` }
      }
      const started = Date.now()
      let response: Response
      // One timer, cleared with the answer (AbortSignal.timeout's timers outlive the request and
      // cost a measurable share of a small request's time under load).
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(new DOMException('the Caliper API did not answer in time', 'TimeoutError')), o.timeoutMs)
      try {
        response = await fetchOf(o)(o.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          redirect: 'manual',
          signal: deadline.signal,
        })
        // The answer is read to the end: a connection dropped mid-answer is an answer lost.
        await response.arrayBuffer()
      } catch (error) {
        const timeout = (error as Error).name === 'TimeoutError'
        o.onMetric?.({ name: 'upstream', status: timeout ? 'timeout' : 'network', ms: Date.now() - started })
        const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? '')
        if (NOT_SENT.test(code)) return { kind: 'unavailable', reason: `Caliper API unreachable (${code})` }
        const what = timeout ? 'timed out' : `connection failed (${code || (error as Error).name})`
        return { kind: 'in-doubt', reason: `Caliper API ${what}` }
      } finally {
        clearTimeout(timer)
      }
      const status = response.status
      o.onMetric?.({ name: 'upstream', status, ms: Date.now() - started })
      if (status === 401 && attempt === 0) {
        o.tokens.invalidate(token)
        continue
      }
      if (status >= 200 && status < 300) return { kind: 'accepted', status }
      if (status === 400 || status === 422) return { kind: 'invalid', status }
      if (status === 504) return { kind: 'in-doubt', reason: 'Caliper API gateway timed out (504)' }
      if (status >= 500 || [401, 403, 408, 429].includes(status)) {
        const retryAfter = response.headers.get('retry-after') ?? undefined
        return { kind: 'unavailable', reason: `Caliper API answered ${status}`, retryAfter }
      }
      return { kind: 'misconfigured', status }
    }
  }
}
