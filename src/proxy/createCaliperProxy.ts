import type { IncomingMessage, ServerResponse } from 'node:http'
import { CALIPER_CONTEXT } from '../events/constants.js'
import type { TimebackEvent } from '../events/eventTypes.js'
import { validateEnvelopeShell, validateEvent } from '../events/validateEnvelope.js'
import { createMemoryLedger, type CaliperLedger } from './ledger.js'
import { toNodeHandler } from './nodeAdapter.js'
import { BodyTooLargeError, readLimitedBody } from './readLimitedBody.js'
import { isAllowedOrigin } from './requestOrigin.js'
import { createTokenSource, type TokenSource } from './tokenSource.js'

/** The signed-in student, as your session knows them. Events must carry this actor. */
export interface AuthorizedUser {
  id: string
  email?: string
}

export interface ProxyLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface CaliperProxyOptions {
  /** Base URL of the Timeback Caliper API; events go to `${caliperUrl}/caliper/event`. */
  caliperUrl: string
  /** OAuth2 token endpoint (client-credentials grant). */
  tokenUrl: string
  clientId: string
  /** Stays on the server: never logged, never sent anywhere but `tokenUrl`. */
  clientSecret: string
  scope?: string
  /**
   * Who is signed in, from your session (cookie, header…). Return the user, `null` for "not
   * signed in" (401), or a `Response` to answer with (e.g. 403).
   */
  authorize(request: Request): Promise<AuthorizedUser | null | Response> | AuthorizedUser | null | Response
  /** Origins allowed besides the proxy's own (for a front end on another origin). */
  allowedOrigins?: string[]
  /** Larger bodies get 413 (the tracker splits its batch). Default 1 MiB. */
  maxBodyBytes?: number
  /** Remembers forwarded event ids. Default: in memory (use `createSqliteLedger` to survive restarts). */
  ledger?: CaliperLedger
  /** For tests, or a fetch with a proxy agent. */
  fetch?: typeof fetch
  /** The platform is given up on (503, the tracker retries) after this long. Default 15 s. */
  upstreamTimeoutMs?: number
  /** Default: one line per request on the console. Never sees secrets or tokens. */
  logger?: ProxyLogger
}

/** A fetch-standard handler, plus `.node` for Node's `http` and Express. */
export interface CaliperProxy {
  (request: Request): Promise<Response>
  node(req: IncomingMessage & { body?: unknown }, res: ServerResponse): void
}

interface Rejection {
  id: string
  errors: unknown
}

const MAX_EVENTS = 1000
const LEASE_MS = 60_000

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })

const errorBody = (message: string, errors?: unknown) => ({ status: 'error', message, ...(errors === undefined ? {} : { errors }) })

class UpstreamUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfter?: string | null,
  ) {
    super(message)
  }
}

/**
 * The reference backend proxy between the tracker and the Timeback Caliper API. It keeps the
 * OAuth2 secret on the server, refuses cross-site requests, binds every event's actor to the
 * signed-in user, validates events with the same schemas the tracker uses, drops events the
 * platform already has (ledger), forwards the rest in one envelope, and answers with the
 * tracker's protocol: `{ status: "success", accepted, duplicates, rejected }`.
 *
 * @example
 * const proxy = createCaliperProxy({ caliperUrl, tokenUrl, clientId, clientSecret,
 *   authorize: async (request) => (await getSession(request))?.user ?? null })
 * export const POST = proxy              // Next.js route handler, Hono, Workers
 * app.post('/api/caliper', proxy.node)   // Express (or http.createServer(proxy.node))
 */
export function createCaliperProxy(options: CaliperProxyOptions): CaliperProxy {
  const fetchImpl = options.fetch ?? fetch
  const ledger = options.ledger ?? createMemoryLedger()
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const timeoutMs = options.upstreamTimeoutMs ?? 15_000
  const log = options.logger ?? {
    info: (m) => console.info(`[caliper-proxy] ${m}`),
    warn: (m) => console.warn(`[caliper-proxy] ${m}`),
    error: (m) => console.error(`[caliper-proxy] ${m}`),
  }
  const endpoint = `${options.caliperUrl.replace(/\/+$/, '')}/caliper/event`
  const tokens: TokenSource = createTokenSource({ ...options, fetch: fetchImpl })

  /** POSTs an envelope upstream with a bearer token; one retry with a fresh token on 401. */
  const forward = async (sensor: string, events: TimebackEvent[]): Promise<Response> => {
    const envelope = { sensor, sendTime: new Date().toISOString(), dataVersion: CALIPER_CONTEXT, data: events }
    for (let attempt = 0; ; attempt++) {
      let token: string
      try {
        token = await tokens.get()
      } catch (error) {
        throw new UpstreamUnavailable(`no access token: ${(error as Error).message}`)
      }
      let response: Response
      try {
        response = await fetchImpl(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        throw new UpstreamUnavailable(`Caliper API unreachable (${(error as Error).name})`)
      }
      if (response.status === 401 && attempt === 0) {
        tokens.invalidate(token)
        continue
      }
      if (response.status >= 500 || response.status === 429 || response.status === 408 || response.status === 401 || response.status === 403) {
        throw new UpstreamUnavailable(`Caliper API answered ${response.status}`, response.headers.get('retry-after'))
      }
      return response
    }
  }

  /** Forwards `events`; on a 400, retries them one by one so one bad event never blocks others. */
  const deliver = async (sensor: string, events: TimebackEvent[]): Promise<{ accepted: string[]; rejected: Rejection[] }> => {
    const response = await forward(sensor, events)
    if (response.ok) return { accepted: events.map((e) => e.id), rejected: [] }
    const body = (await response.json().catch(() => ({}))) as { message?: string; errors?: unknown }
    if (events.length === 1) {
      return { accepted: [], rejected: [{ id: events[0]!.id, errors: body.errors ?? body.message ?? `Caliper API answered ${response.status}` }] }
    }
    const result = { accepted: [] as string[], rejected: [] as Rejection[] }
    for (const event of events) {
      const single = await deliver(sensor, [event])
      result.accepted.push(...single.accepted)
      result.rejected.push(...single.rejected)
    }
    return result
  }

  const handle = async (request: Request): Promise<Response> => {
    if (!isAllowedOrigin(request, options.allowedOrigins)) {
      log.warn(`refused a cross-site request from ${request.headers.get('origin') ?? request.headers.get('sec-fetch-site')}`)
      return json(403, errorBody('cross-site request refused'))
    }
    const origin = request.headers.get('origin')
    const cors: Record<string, string> =
      origin && origin !== new URL(request.url).origin
        ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
        : {}
    if (request.method === 'OPTIONS') {
      return new Response(null, { status: 204, headers: { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, x-csrf-token', 'access-control-max-age': '600' } })
    }
    if (request.method !== 'POST') return json(405, errorBody('use POST'), { allow: 'POST', ...cors })
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json' && type !== 'text/plain') return json(415, errorBody('send application/json (or text/plain from sendBeacon)'), cors)

    const auth = await options.authorize(request)
    if (auth instanceof Response) return auth
    if (!auth) return json(401, errorBody('not signed in'), cors)

    let text: string
    try {
      text = await readLimitedBody(request, maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLargeError) return json(413, errorBody(`body larger than ${maxBodyBytes} bytes; send fewer events per request`), cors)
      throw error
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return json(400, errorBody('body is not JSON'), cors)
    }
    const shell = validateEnvelopeShell(parsed)
    if (!shell.ok) return json(400, errorBody('invalid envelope', shell.issues), cors)
    const envelope = shell.value
    if (envelope.data.length > MAX_EVENTS) return json(413, errorBody(`at most ${MAX_EVENTS} events per request`), cors)

    const rejected: Rejection[] = []
    const valid: TimebackEvent[] = []
    for (const [index, raw] of envelope.data.entries()) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `data[${index}]`
      const result = validateEvent(raw)
      if (!result.ok) rejected.push({ id, errors: result.issues })
      else if (result.value.actor.id !== auth.id || (auth.email !== undefined && result.value.actor.email.toLowerCase() !== auth.email.toLowerCase())) {
        rejected.push({ id, errors: [{ path: 'actor', message: 'is not the signed-in user' }] })
      } else if (valid.some((e) => e.id === id)) {
        // the same id twice in one envelope: one is enough
      } else valid.push(result.value)
    }

    const { claimed, delivered } = await ledger.claim(valid.map((e) => e.id), LEASE_MS)
    const toSend = valid.filter((e) => claimed.includes(e.id))
    let accepted: string[] = []
    if (toSend.length) {
      try {
        const outcome = await deliver(envelope.sensor, toSend)
        accepted = outcome.accepted
        rejected.push(...outcome.rejected)
        await ledger.commit(accepted)
        await ledger.release(outcome.rejected.map((r) => r.id))
      } catch (error) {
        await ledger.release(toSend.map((e) => e.id))
        if (!(error instanceof UpstreamUnavailable)) throw error
        log.error(`${error.message}; answered 503 for ${toSend.length} event(s)`)
        return json(503, errorBody('the Caliper API is unavailable; retry later'), { 'retry-after': error.retryAfter ?? '5', ...cors })
      }
    }
    log.info(`user ${auth.id}: ${accepted.length} forwarded, ${delivered.length} duplicate, ${rejected.length} rejected`)
    return json(200, { status: 'success', accepted, duplicates: delivered, rejected }, cors)
  }

  const proxy = (async (request: Request) => {
    try {
      return await handle(request)
    } catch (error) {
      log.error(`internal error: ${(error as Error).name}`)
      return json(500, errorBody('internal error'))
    }
  }) as CaliperProxy
  proxy.node = toNodeHandler(proxy)
  return proxy
}
