import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TimebackEvent, TimeSpentEvent } from '../events/eventTypes.js'
import type { FieldIssue } from '../events/validationError.js'
import { validateEnvelopeShell } from '../events/validateEnvelope.js'
import { holdClaim, type ClaimLease } from './claimLease.js'
import { creditClaim, trimCredit } from './creditedTime.js'
import { findImplausible } from './eventPlausibility.js'
import { sendTimeCorrection, shiftEventDates } from './correctSendTime.js'
import { forwardEvents, type Forwarded } from './forwardEvents.js'
import { ledgerKey, type CaliperLedger } from './ledger.js'
import { createMemoryLedger } from './memoryLedger.js'
import { textResponse, toNodeHandler } from './nodeAdapter.js'
import type { MetricSink } from './proxyMetrics.js'
import { BodyTooLargeError, ClientGoneError, readLimitedBody } from './readLimitedBody.js'
import { createRateLimiter, type RateLimits } from './rateLimiter.js'
import { isAllowedOrigin } from './requestOrigin.js'
import { screenEvents, type Rejection, type Screened } from './screenEvents.js'
import { budgetTtl, createMemoryTimeBudget, type TimeBudget } from './timeBudget.js'
import { createTokenSource } from './tokenSource.js'
import { createUpstream } from './upstream.js'

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
  /** Base URL of the Timeback Caliper API; events go to `${caliperUrl}${caliperPath}`. */
  caliperUrl: string
  /** Default `/caliper/event` (the platform's SDKs); some deployments use `/ims/caliper/v1p2/events`. */
  caliperPath?: string
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
  /**
   * Remembers forwarded event ids. Default: in memory, right for one long-lived process only;
   * see `createSqliteLedger`, `createPostgresLedger`, `createRedisLedger`.
   */
  ledger?: CaliperLedger
  /**
   * Which of these event ids the platform already has, where it offers a lookup. Asked before
   * an id in doubt (sent, answer lost) is forwarded again; without it such an id is forwarded
   * again once `inDoubtHoldMs` has passed.
   */
  lookup?: (ids: string[]) => Promise<string[]>
  /** How long an id in doubt is neither forwarded nor acknowledged. Default 10 min. */
  inDoubtHoldMs?: number
  /**
   * How long a claim lasts unless renewed; it is renewed every third of that while its request
   * forwards, so it only runs out when the process holding it stops. Default 60 s.
   */
  claimLeaseMs?: number
  /** For tests, or a fetch with a proxy agent. */
  fetch?: typeof fetch
  /** A POST to the platform is given up on (its events in doubt) after this long. Default 15 s. */
  upstreamTimeoutMs?: number
  /** A token request is given up on (503, the tracker retries) after this long. Default 10 s. */
  tokenTimeoutMs?: number
  /** Default: one line per request on the console. Never sees secrets or tokens. */
  logger?: ProxyLogger
  /** Counts and timings for your metrics (see `ProxyMetric`). */
  onMetric?: MetricSink
  /**
   * How far after its envelope's `sendTime` an event may be dated (dates are first put on this
   * server's clock by the envelope's `sendTime`, so a device's wrong clock does not count here);
   * without a `sendTime`, how far ahead of this server's clock. Default 2 minutes.
   */
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

/** What happened to the events of one `proxy.send`. */
export interface ProxyOutcome {
  accepted: string[]
  duplicates: string[]
  rejected: Rejection[]
  /** Forwarded with less credited time than they claimed: that much already passed elsewhere. */
  notCredited: Array<{ id: string; seconds: number }>
}

/** The Caliper API could not take the events now (5xx, 429, timeout, no token); retry later. */
export class CaliperUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaliperUnavailableError'
  }
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

const MAX_EVENTS = 1000
const NOTHING_FORWARDED: Forwarded = { accepted: [], refused: [], inDoubt: [] }

const isTimeBudget = (ledger: object): ledger is TimeBudget => 'reserveTime' in ledger && 'releaseTime' in ledger

const jsonResponse = (status: number, body: object, headers: Record<string, string> = {}) =>
  textResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })

const errorBody = (message: string, errors?: unknown) => ({ status: 'error', message, ...(errors === undefined ? {} : { errors }) })

/**
 * The reference backend proxy between the tracker and the Timeback Caliper API. It keeps the
 * OAuth2 secret on the server, refuses cross-site requests, binds every event's actor to the
 * signed-in user, validates events with the same schemas the tracker uses, forwards each event
 * id at most once (ledger), and answers with the tracker's protocol:
 * `{ status: "success", accepted, duplicates, rejected, serverTime }`. Each envelope's dates are
 * first put on the proxy's clock by its `sendTime`, so a device's wrong clock costs nothing.
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
  const holdMs = options.inDoubtHoldMs ?? 600_000
  const leaseMs = options.claimLeaseMs ?? 60_000
  const metric = options.onMetric ?? (() => {})
  const log = options.logger ?? {
    info: (m) => console.info(`[caliper-proxy] ${m}`),
    warn: (m) => console.warn(`[caliper-proxy] ${m}`),
    error: (m) => console.error(`[caliper-proxy] ${m}`),
  }
  const send = createUpstream({
    endpoint: `${options.caliperUrl.replace(/\/+$/, '')}${options.caliperPath ?? '/caliper/event'}`,
    tokens: createTokenSource({ ...options, fetch: fetchImpl }),
    fetch: fetchImpl,
    timeoutMs: options.upstreamTimeoutMs ?? 15_000,
    onMetric: options.onMetric,
  })
  const now = options.now ?? Date.now
  // Every JSON answer carries this server's clock: the tracker dates events on it.
  const json = (status: number, body: object, headers?: Record<string, string>) => jsonResponse(status, { ...body, serverTime: now() }, headers)
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  const limits = { clockSkewMs: options.clockSkewMs ?? 120_000, retentionMs, maxXpPerEvent: options.maxXpPerEvent ?? 1000 }
  const budget = options.timeBudget ?? (isTimeBudget(ledger) ? ledger : createMemoryTimeBudget({ ttlMs: budgetTtl(retentionMs), now }))
  if (!options.timeBudget && !isTimeBudget(ledger)) log.warn('this ledger keeps no time budget: credited time is checked per proxy instance only (see TimeBudget)')
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? {}, now)
  const count = (outcome: 'accepted' | 'duplicate' | 'rejected' | 'in-doubt' | 'deferred', n: number) => {
    if (n) metric({ name: 'events', outcome, count: n })
  }

  /**
   * Of events whose earlier attempt is in doubt, those the platform has (committed now). Unsure
   * (the lookup failed), they are put back in doubt rather than risk a second copy.
   */
  const lookUp = async (doubtful: TimebackEvent[], lease: ClaimLease): Promise<TimebackEvent[]> => {
    if (!doubtful.length) return []
    const keys = doubtful.map((e) => ledgerKey(e.id))
    if (!options.lookup) {
      log.warn(`forwarding ${doubtful.length} event(s) again whose earlier attempt is in doubt (no lookup)`)
      return []
    }
    try {
      const found = new Set((await options.lookup(doubtful.map((e) => e.id))).map(ledgerKey))
      await lease.commit(keys.filter((key) => found.has(key)))
      return doubtful.filter((e) => found.has(ledgerKey(e.id)))
    } catch (error) {
      log.error(`lookup failed (${(error as Error).name}); ${doubtful.length} event(s) stay in doubt`)
      await lease.markInDoubt(keys, holdMs)
      return []
    }
  }

  /**
   * Screens a request's events for `user`: schema and actor, then the proxy's own refusals.
   * Each valid event is first put on this server's clock by the envelope's `sendTime`, read
   * against `arrived` (when the request came in, so time spent here on sign-in or the body is
   * not taken for the device's clock); the checks then hold relative to that, so an event dated
   * after it was sent is still refused. An event whose corrected dates fail only where its dates
   * as made pass was dated before its device's clock changed (set back, or a dead battery before
   * the network time arrives): it goes as made. A forger gains nothing by it, since both lie in
   * the same allowed window.
   */
  const screen = (data: unknown[], user: AuthorizedUser, fromServer: boolean, arrived: number, sendTime?: string): Screened => {
    const screened = screenEvents(data, user)
    const at = { ...limits, now: arrived, bySendTime: sendTime !== undefined }
    const correction = sendTimeCorrection(sendTime, arrived)
    const check = (event: TimebackEvent): FieldIssue[] =>
      !fromServer && event.type === 'ActivityEvent' && options.activityEvents === 'server-only'
        ? [{ path: 'type', message: 'ActivityEvents are sent by the app server only' }]
        : findImplausible(event, at)
    screened.valid = screened.valid.flatMap((made) => {
      const event = shiftEventDates(made, correction)
      const errors = check(event)
      if (!errors.length) return [event]
      if (event !== made && !check(made).length) return [made]
      screened.rejected.push({ id: event.id, errors })
      return []
    })
    return screened
  }

  /**
   * The app's verdicts (`acceptEvent`), then the student's time budget: credited time already
   * placed elsewhere is taken out before forwarding. Returns the events to forward, the ones
   * refused, and those left with nothing to report (done without a call upstream).
   */
  const admit = async (events: TimebackEvent[], user: AuthorizedUser) => {
    const verdicts = await Promise.all(events.map((e) => options.acceptEvent?.(e, user) ?? true))
    const refused: Rejection[] = []
    const allowed = events.filter((event, i) => {
      const verdict = verdicts[i]
      if (verdict !== true) refused.push({ id: event.id, errors: [{ path: '', message: typeof verdict === 'string' ? verdict : 'refused by the app' }] })
      return verdict === true
    })
    const claims = allowed.flatMap((e) => (e.type === 'TimeSpentEvent' ? (creditClaim(e) ?? []) : []))
    const granted = claims.length ? await budget.reserveTime(user.id, claims) : []
    const notCredited: ProxyOutcome['notCredited'] = []
    const empty: string[] = []
    const claimOf = new Map(claims.map((c, i) => [c.id, i]))
    const toSend = allowed.flatMap((event) => {
      const i = claimOf.get(event.id) ?? -1
      if (i < 0 || granted[i] === claims[i]!.ms) return [event]
      notCredited.push({ id: event.id, seconds: (claims[i]!.ms - granted[i]!) / 1000 })
      const trimmed = trimCredit(event as TimeSpentEvent, claims[i]!.ms - granted[i]!)
      if (trimmed.generated.items.length) return [trimmed]
      empty.push(event.id)
      return []
    })
    return { toSend, refused, empty, notCredited, budgeted: claims.map((c) => c.id) }
  }

  /** Frees the time of these events (not delivered): nothing to do, no call (SQLite would lock). */
  const freeTime = async (user: AuthorizedUser, eventIds: string[]) => {
    if (eventIds.length) await budget.releaseTime(user.id, eventIds)
  }

  /** Claims the valid events, settles the doubtful ones, admits and forwards the rest. */
  const deliver = async (sensor: string, valid: TimebackEvent[], user: AuthorizedUser) => {
    const byKey = new Map(valid.map((e) => [ledgerKey(e.id), e]))
    const event = (key: string) => byKey.get(key)!
    const owner = randomUUID()
    const claim = await ledger.claim([...byKey.keys()], owner, leaseMs)
    const lease = holdClaim(ledger, owner, claim.claimed, leaseMs)
    let budgeted: string[] = []
    try {
      const found = await lookUp(claim.doubtful.map(event), lease)
      const admitted = await admit(claim.claimed.filter((key) => lease.held.has(key)).map(event), user)
      budgeted = admitted.budgeted
      await lease.release(admitted.refused.map((r) => ledgerKey(r.id)))
      await lease.commit(admitted.empty.map(ledgerKey))
      const { toSend } = admitted
      const forwarded: Forwarded = toSend.length ? await forwardEvents(send, sensor, toSend, lease, holdMs) : { accepted: [], refused: [], inDoubt: [] }
      forwarded.accepted.push(...admitted.empty)
      // Time of events the platform never got is free again (in doubt: it may have them).
      const kept = new Set([...forwarded.accepted, ...forwarded.inDoubt])
      await freeTime(user, budgeted.filter((id) => !kept.has(id)))
      return { duplicates: [...claim.delivered.map(event), ...found].map((e) => e.id), forwarded, refused: admitted.refused, notCredited: admitted.notCredited }
    } catch (error) {
      await freeTime(user, budgeted)
      throw error
    } finally {
      lease.end()
    }
  }

  const handle = async (request: Request): Promise<Response> => {
    const arrived = now()
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
      if (error instanceof ClientGoneError) {
        log.info('the client went away before its body arrived')
        return json(400, errorBody('request body incomplete'), cors)
      }
      throw error
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return json(400, errorBody('body is not JSON'), cors)
    }
    const shell = validateEnvelopeShell(parsed)
    if (!shell.ok) return json(400, errorBody('invalid envelope', shell.issues.slice(0, 10)), cors)
    if (shell.value.data.length > MAX_EVENTS) return json(413, errorBody(`at most ${MAX_EVENTS} events per request`), cors)
    const eventWaitMs = limiter?.take(auth.id, 0, shell.value.data.length)
    if (eventWaitMs) return tooMany(eventWaitMs)

    const screened = screen(shell.value.data, auth, false, arrived, shell.value.sendTime)
    if (screened.othersWaiting && screened.othersWaiting === shell.value.data.length) {
      count('deferred', screened.othersWaiting)
      return json(403, errorBody('these events belong to another student; they wait for that student'), cors)
    }
    const delivered = screened.valid.length ? await deliver(shell.value.sensor, screened.valid, auth) : undefined
    screened.rejected.push(...(delivered?.refused ?? []))
    const { notCredited = [] } = delivered ?? {}
    if (notCredited.length) log.warn(`user ${auth.id}: ${notCredited.length} event(s) claimed time already credited; forwarded without it`)
    return answer(auth, screened, delivered?.duplicates ?? [], delivered?.forwarded ?? NOTHING_FORWARDED, cors, notCredited)
  }

  /** The tracker's answer to a forwarding, with its log line and metrics. */
  const answer = (
    auth: AuthorizedUser,
    screened: Screened,
    duplicates: string[],
    forwarded: Forwarded,
    cors: Record<string, string>,
    notCredited: ProxyOutcome['notCredited'],
  ) => {
    const { accepted, inDoubt, failure } = forwarded
    // The platform's own error bodies stay in the proxy: they may echo request headers.
    const refused: Rejection[] = forwarded.refused.map(({ id, status }) => ({
      id,
      errors: [{ path: '', message: `the Caliper API refused this event (${status})` }],
    }))
    const rejected = [...screened.rejected, ...refused]
    if (forwarded.ledgerError) {
      log.error(`ledger write failed (${(forwarded.ledgerError as Error).name}); its ids turn doubtful when their lease ends`)
    }
    count('accepted', accepted.length)
    count('duplicate', duplicates.length)
    count('rejected', rejected.length)
    count('in-doubt', inDoubt.length)
    count('deferred', screened.valid.length - accepted.length - duplicates.length - refused.length + screened.othersWaiting)
    log.info(
      `user ${auth.id}: ${accepted.length} forwarded, ${duplicates.length} duplicate, ` +
        `${rejected.length} rejected, ${inDoubt.length} in doubt`,
    )
    if (failure?.kind === 'misconfigured') {
      log.error(`the Caliper API answered ${failure.status}: check caliperUrl and caliperPath; answered 502`)
      return json(502, errorBody('the Caliper API refused the request; retry later'), { 'retry-after': '60', ...cors })
    }
    if (failure) {
      log.error(`${failure.reason}; answered 503`)
      const retryAfter = failure.kind === 'unavailable' ? (failure.retryAfter ?? '5') : String(Math.ceil(holdMs / 1000))
      return json(503, errorBody('the Caliper API is unavailable; retry later'), { 'retry-after': retryAfter, ...cors })
    }
    return json(200, { status: 'success', accepted, duplicates, rejected, ...(notCredited.length ? { notCredited } : {}) }, cors)
  }

  const proxy = (async (request: Request) => {
    try {
      return await handle(request)
    } catch (error) {
      log.error(`internal error: ${(error as Error).name}`)
      return json(500, errorBody('internal error'))
    }
  }) as CaliperProxy
  proxy.node = toNodeHandler(proxy, { maxBodyBytes })
  proxy.send = async (given, user) => {
    if (!options.sensor) throw new TypeError("proxy.send: set the sensor option (your app's URL) first")
    // As plain JSON, as a browser's events arrive: no getters, prototypes or later changes to
    // what the caller still holds between the checks and the forwarding.
    const events = JSON.parse(JSON.stringify(given)) as unknown[]
    // Another student's events are a mistake of the caller here, not a shared computer.
    const theirs = events.flatMap((e, i) => {
      const event = e as { id?: unknown; actor?: { id?: unknown } } | null
      return typeof event?.actor?.id === 'string' && event.actor.id !== user.id ? [typeof event.id === 'string' ? event.id : `data[${i}]`] : []
    })
    const screened = screen(events, user, true, now())
    screened.rejected.push(...theirs.map((id) => ({ id, errors: [{ path: 'actor', message: 'is not the user given to proxy.send' }] })))
    const delivered = screened.valid.length ? await deliver(options.sensor, screened.valid, user) : undefined
    const forwarded = delivered?.forwarded ?? NOTHING_FORWARDED
    const { failure } = forwarded
    if (failure) throw new CaliperUnavailableError('reason' in failure ? failure.reason : `the Caliper API answered ${failure.status}`)
    const refused = forwarded.refused.map(({ id, status }) => ({ id, errors: [{ path: '', message: `the Caliper API refused this event (${status})` }] }))
    return {
      accepted: forwarded.accepted,
      duplicates: delivered?.duplicates ?? [],
      rejected: [...screened.rejected, ...(delivered?.refused ?? []), ...refused],
      notCredited: delivered?.notCredited ?? [],
    }
  }
  return proxy
}
