import type { IncomingMessage, ServerResponse } from 'node:http'
import { CALIPER_CONTEXT } from '../events/constants.js'
import type { TimebackEvent, TimeSpentEvent } from '../events/eventTypes.js'
import { validateEnvelopeShell, validateEvent } from '../events/validateEnvelope.js'
import { creditClaim, trimCredit } from './creditedTime.js'
import { findImplausible } from './eventPlausibility.js'
import { createMemoryLedger, type CaliperLedger } from './ledger.js'
import { toNodeHandler } from './nodeAdapter.js'
import { createRateLimiter, type RateLimits } from './rateLimiter.js'
import { BodyTooLargeError, readLimitedBody } from './readLimitedBody.js'
import { isAllowedOrigin } from './requestOrigin.js'
import { createMemoryTimeBudget, type TimeBudget } from './timeBudget.js'
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
  /** How far ahead of this server's clock a student's device may run. Default 2 minutes. */
  clockSkewMs?: number
  /** Events older than this are refused; keep it at the tracker's `retentionMs`. Default 30 days. */
  retentionMs?: number
  /** An ActivityEvent's `xpEarned` must lie within ±this. Default 1,000. */
  maxXpPerEvent?: number
  /**
   * Your rules for each event about to be forwarded (XP bounds per activity, completions only
   * for assigned activities…): return `true`, or the reason it is refused. May be async. An
   * event may be seen again if forwarding it failed and the tracker resends it.
   */
  acceptEvent?(event: TimebackEvent, user: AuthorizedUser): boolean | string | Promise<boolean | string>
  /** `'server-only'`: ActivityEvents from browsers are refused; your server sends them with `proxy.send`. */
  activityEvents?: 'browser' | 'server-only'
  /** Per-student caps on requests and events per minute (429 with Retry-After), or `false`. */
  rateLimit?: RateLimits | false
  /** Where each student's credited time is kept. Default: the ledger, if it is one, else memory. */
  timeBudget?: TimeBudget
  /** The envelope's `sensor` (your app's URL) for `proxy.send`. */
  sensor?: string
  /** The server's clock, for tests. */
  now?: () => number
}

/** What happened to the events of one request (or one `proxy.send`). */
export interface ProxyOutcome {
  accepted: string[]
  duplicates: string[]
  rejected: Rejection[]
  /** Forwarded with less credited time than they claimed: that much already passed elsewhere. */
  notCredited: Array<{ id: string; seconds: number }>
}

/** A fetch-standard handler, plus `.node` for Node's `http` and Express. */
export interface CaliperProxy {
  (request: Request): Promise<Response>
  node(req: IncomingMessage & { body?: unknown }, res: ServerResponse): void
  /**
   * Sends events from your server (e.g. ActivityEvents with XP you computed) with the same
   * token cache, ledger, validation and checks as browser events, minus the rate limit.
   * @throws {CaliperUnavailableError} when the platform cannot take them now; retry later.
   */
  send(events: unknown[], user: AuthorizedUser): Promise<ProxyOutcome>
}

export interface Rejection {
  id: string
  errors: unknown
}

const MAX_EVENTS = 1000
const LEASE_MS = 60_000

const isTimeBudget = (ledger: object): ledger is TimeBudget => 'reserveTime' in ledger && 'releaseTime' in ledger

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })

const errorBody = (message: string, errors?: unknown) => ({ status: 'error', message, ...(errors === undefined ? {} : { errors }) })

/** The Caliper API could not take the events now (5xx, 429, timeout, no token); nothing was credited. */
export class CaliperUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfter?: string | null,
  ) {
    super(message)
    this.name = 'CaliperUnavailableError'
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
  const now = options.now ?? Date.now
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  const limits = { clockSkewMs: options.clockSkewMs ?? 120_000, retentionMs, maxXpPerEvent: options.maxXpPerEvent ?? 1000 }
  const budget = options.timeBudget ?? (isTimeBudget(ledger) ? ledger : createMemoryTimeBudget({ ttlMs: retentionMs, now }))
  if (!options.timeBudget && !isTimeBudget(ledger)) log.warn('this ledger keeps no time budget: credited time is checked per proxy instance only (see TimeBudget)')
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? {}, now)

  /** POSTs an envelope upstream with a bearer token; one retry with a fresh token on 401. */
  const forward = async (sensor: string, events: TimebackEvent[]): Promise<Response> => {
    const envelope = { sensor, sendTime: new Date().toISOString(), dataVersion: CALIPER_CONTEXT, data: events }
    for (let attempt = 0; ; attempt++) {
      let token: string
      try {
        token = await tokens.get()
      } catch (error) {
        throw new CaliperUnavailableError(`no access token: ${(error as Error).message}`)
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
        throw new CaliperUnavailableError(`Caliper API unreachable (${(error as Error).name})`)
      }
      if (response.status === 401 && attempt === 0) {
        tokens.invalidate(token)
        continue
      }
      if (response.status >= 500 || response.status === 429 || response.status === 408 || response.status === 401 || response.status === 403) {
        throw new CaliperUnavailableError(`Caliper API answered ${response.status}`, response.headers.get('retry-after'))
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
    const tooMany = (waitMs: number) =>
      json(429, errorBody('too many requests from this student; retry later'), { 'retry-after': String(Math.ceil(waitMs / 1000)), ...cors })
    const waitMs = limiter?.take(auth.id, 1, 0)
    if (waitMs) return tooMany(waitMs)

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
    const eventWaitMs = limiter?.take(auth.id, 0, envelope.data.length)
    if (eventWaitMs) return tooMany(eventWaitMs)

    try {
      const { notCredited, ...outcome } = await receive(envelope.sensor, envelope.data, auth, false)
      return json(200, { status: 'success', ...outcome, ...(notCredited.length ? { notCredited } : {}) }, cors)
    } catch (error) {
      if (!(error instanceof CaliperUnavailableError)) throw error
      return json(503, errorBody('the Caliper API is unavailable; retry later'), { 'retry-after': error.retryAfter ?? '5', ...cors })
    }
  }

  /** Why the proxy refuses a valid event of `user`'s before claiming it, if it does. */
  const refusal = (event: TimebackEvent, user: AuthorizedUser, fromServer: boolean): unknown => {
    if (event.actor.id !== user.id || (user.email !== undefined && event.actor.email.toLowerCase() !== user.email.toLowerCase())) {
      return [{ path: 'actor', message: 'is not the signed-in user' }]
    }
    if (!fromServer && event.type === 'ActivityEvent' && options.activityEvents === 'server-only') {
      return [{ path: 'type', message: 'ActivityEvents are sent by the app server only' }]
    }
    const issues = findImplausible(event, { ...limits, now: now() })
    return issues.length ? issues : undefined
  }

  /**
   * Checks, claims, budgets and forwards the events of one request for `user`. Throws
   * `CaliperUnavailableError` (with every claim and reservation undone) when the platform
   * cannot take them now.
   */
  const receive = async (sensor: string, data: unknown[], user: AuthorizedUser, fromServer: boolean): Promise<ProxyOutcome> => {
    const rejected: Rejection[] = []
    const valid: TimebackEvent[] = []
    for (const [index, raw] of data.entries()) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `data[${index}]`
      const result = validateEvent(raw)
      const errors = result.ok ? refusal(result.value, user, fromServer) : result.issues
      if (errors) rejected.push({ id, errors })
      else if (result.ok && !valid.some((e) => e.id === id)) valid.push(result.value) // one copy is enough
    }

    const { claimed, delivered } = await ledger.claim(valid.map((e) => e.id), LEASE_MS)
    let toSend = valid.filter((e) => claimed.includes(e.id))
    const notCredited: ProxyOutcome['notCredited'] = []
    const empty: string[] = []
    try {
      const verdicts = await Promise.all(toSend.map((e) => options.acceptEvent?.(e, user) ?? true))
      const refused = toSend.filter((event, i) => {
        const verdict = verdicts[i]
        if (verdict === true) return false
        rejected.push({ id: event.id, errors: [{ path: '', message: typeof verdict === 'string' ? verdict : 'refused by the app' }] })
        return true
      })
      await ledger.release(refused.map((e) => e.id))
      toSend = toSend.filter((e) => !refused.includes(e))

      // Credited time already placed elsewhere for this student is taken out before forwarding.
      const claims = toSend.flatMap((e) => (e.type === 'TimeSpentEvent' ? (creditClaim(e) ?? []) : []))
      const granted = claims.length ? await budget.reserveTime(user.id, claims) : []
      const forwarded = toSend.flatMap((event) => {
        const i = claims.findIndex((c) => c.id === event.id)
        if (i < 0 || granted[i] === claims[i]!.ms) return [event]
        notCredited.push({ id: event.id, seconds: (claims[i]!.ms - granted[i]!) / 1000 })
        const trimmed = trimCredit(event as TimeSpentEvent, granted[i]!)
        if (trimmed.generated.items.length) return [trimmed]
        empty.push(event.id) // nothing left to report: done, without a call upstream
        return []
      })

      const outcome = forwarded.length ? await deliver(sensor, forwarded) : { accepted: [], rejected: [] }
      const undelivered = outcome.rejected.map((r) => r.id)
      const accepted = [...outcome.accepted, ...empty]
      rejected.push(...outcome.rejected)
      await ledger.commit(accepted)
      await ledger.release(undelivered)
      await budget.releaseTime(user.id, undelivered)
      log.info(`user ${user.id}: ${accepted.length} forwarded, ${delivered.length} duplicate, ${rejected.length} rejected, ${notCredited.length} trimmed`)
      return { accepted, duplicates: delivered, rejected, notCredited }
    } catch (error) {
      const ids = toSend.map((e) => e.id)
      await ledger.release(ids)
      await budget.releaseTime(user.id, ids)
      if (error instanceof CaliperUnavailableError) log.error(`${error.message}; nothing credited for ${ids.length} event(s)`)
      throw error
    }
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
  proxy.send = async (events, user) => {
    if (!options.sensor) throw new TypeError('proxy.send: set the sensor option (your app\'s URL) first')
    return receive(options.sensor, events, user, true)
  }
  return proxy
}
