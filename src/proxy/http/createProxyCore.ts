import type { AuthorizedUser } from '../pipeline/authorizedUser.js'
import { tracedBudget, tracedLedger } from '../pipeline/tracedStores.js'
import { claimsWithTime } from '../store/claimWithTime.js'
import type { MetricSink } from '../telemetry/proxyMetrics.js'
import { createDelivery, NOTHING_FORWARDED, type Delivered } from '../pipeline/deliverEvents.js'
import { consoleLogger } from '../pipeline/proxyLogger.js'
import { createDeliveryTokens, withinToken, type DeliveryClaims } from '../pipeline/deliveryToken.js'
import { createRateLimiter } from '../pipeline/rateLimiter.js'
import type { Rejection, Screened } from '../pipeline/screenEvents.js'
import { screenRequest } from '../pipeline/screenRequest.js'
import { actorIds, tokenStudent } from '../pipeline/tokenStudent.js'
import { createMemoryLedger } from '../backends/memory/memoryLedger.js'
import { createMemoryRateLimit } from '../backends/memory/memoryRateLimit.js'
import { createMemoryTimeBudget } from '../backends/memory/memoryTimeBudget.js'
import { isRateLimitStore } from '../store/rateLimitStore.js'
import { guardStore, StoreUnavailableError } from '../store/storeUnavailable.js'
import { budgetTtl, type TimeBudget } from '../store/timeBudget.js'
import { createTokenSource } from '../upstream/tokenSource.js'
import { createUpstream } from '../upstream/upstream.js'
import { errorBody, jsonAnswer, type PlainAnswer, type ProxyAnswerOf } from './jsonAnswers.js'
import { CaliperUnavailableError, type CaliperProxyOptions, type ProxyOutcome } from './proxyOptions.js'
import { readEnvelope } from './readEnvelope.js'
import { isAllowedOrigin } from './requestOrigin.js'

/** A restarting Redis or a database failing over is usually back within seconds. */
const STORE_RETRY_AFTER_S = 5

const isTimeBudget = (ledger: object): ledger is TimeBudget => 'reserveTime' in ledger && 'releaseTime' in ledger

/** The fetch-standard proxy, before any server adapter: no Node (or other runtime) import. */
export interface ProxyCore {
  /**
   * Answers one request. A server adapter may pass `readBody`, its own way to read the body
   * (at most `maxBodyBytes`, throwing `BodyTooLargeError` or `ClientGoneError`), which is asked
   * only after the origin and sign-in checks, and not for a student this instance is holding to
   * a `Retry-After`.
   */
  handle(request: Request, readBody?: () => Promise<string>): Promise<ProxyAnswerOf>
  send(events: unknown[], user: AuthorizedUser): Promise<ProxyOutcome>
  maxBodyBytes: number
}

/** The proxy's settings and per-request pipeline, wired from its options (see `createCaliperProxy`). */
export function createProxyCore(options: CaliperProxyOptions): ProxyCore {
  const fetchImpl = options.fetch ?? fetch
  const telemetry = options.telemetry
  const rawLedger = options.ledger ?? createMemoryLedger()
  const guardedLedger = guardStore(rawLedger)
  const ledger = telemetry ? tracedLedger(guardedLedger, telemetry) : guardedLedger
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const holdMs = options.inDoubtHoldMs ?? 600_000
  const log = options.logger ?? consoleLogger
  // A metrics sink that throws must not fail a request: it is called after events were sent.
  const metric: MetricSink = (m) => {
    try {
      telemetry?.metric(m)
      options.onMetric?.(m)
    } catch (error) {
      log.error(`onMetric or telemetry threw (${(error as Error).name}); the request goes on`)
    }
  }
  const send = createUpstream({
    endpoint: `${options.caliperUrl.replace(/\/+$/, '')}${options.caliperPath ?? '/caliper/event'}`,
    tokens: createTokenSource({ ...options, fetch: telemetry?.fetch('token', fetchImpl) ?? fetchImpl, onMetric: metric }),
    fetch: telemetry?.fetch('upstream', fetchImpl) ?? fetchImpl,
    timeoutMs: options.upstreamTimeoutMs ?? 15_000,
    onMetric: metric,
  })
  const now = options.now ?? Date.now
  // Every JSON answer carries this server's clock: the tracker dates events on it.
  const json = (status: number, body: object, headers?: Record<string, string>) => jsonAnswer(status, { ...body, serverTime: now() }, headers)
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  const screening = {
    limits: { clockSkewMs: options.clockSkewMs ?? 120_000, retentionMs, maxXpPerEvent: options.maxXpPerEvent ?? 1000 },
    activityEvents: options.activityEvents,
  }
  const rawBudget = guardStore(options.timeBudget ?? (isTimeBudget(rawLedger) ? rawLedger : createMemoryTimeBudget({ ttlMs: budgetTtl(retentionMs), now })))
  const budget = telemetry ? tracedBudget(rawBudget, telemetry) : rawBudget
  if (!options.timeBudget && !isTimeBudget(rawLedger)) log.warn('this ledger keeps no time budget: credited time is checked per proxy instance only (see TimeBudget)')
  const rawRateStore = options.rateLimitStore ?? (isRateLimitStore(rawLedger) ? rawLedger : createMemoryRateLimit(now))
  const rateStore = guardStore(rawRateStore)
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? {}, rateStore, now)
  const claimWithTime = !options.timeBudget && claimsWithTime(ledger) ? ledger : undefined
  // The rate limit's take folds into the claim when the ledger keeps both and claims with time.
  const foldsRate = !!limiter && !!claimWithTime && !options.acceptEvent && (rawRateStore as object) === rawLedger
  const deliver = createDelivery({
    ledger,
    budget,
    send,
    leaseMs: options.claimLeaseMs ?? 60_000,
    holdMs,
    log,
    lookup: options.lookup,
    acceptEvent: options.acceptEvent,
    // A ledger that is the time budget may claim and reserve in one step (one round trip).
    claimWithTime,
  })
  const tokens = options.deliveryTokens && createDeliveryTokens(options.deliveryTokens, screening.limits)
  const count = (outcome: 'accepted' | 'duplicate' | 'rejected' | 'in-doubt' | 'deferred', n: number) => {
    if (n) metric({ name: 'events', outcome, count: n })
  }

  const handle = async (request: Request, readBody?: () => Promise<string>): Promise<ProxyAnswerOf> => {
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
      const headers = { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, x-csrf-token', 'access-control-max-age': '600' }
      return { status: 204, headers, body: '' }
    }
    if (request.method !== 'POST') return json(405, errorBody('use POST'), { allow: 'POST', ...cors })
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json' && type !== 'text/plain') return json(415, errorBody('send application/json (or text/plain from sendBeacon)'), cors)

    const auth = await options.authorize(request)
    if (auth instanceof Response) return auth
    // Without a session, a delivery token in the body may still speak for its student.
    if (!auth && !tokens) return json(401, errorBody('not signed in'), cors)
    const knownWait = auth && limiter?.knownWait(auth.id)
    if (knownWait) return tooMany(knownWait, cors)

    const body = await readEnvelope(request, readBody, maxBodyBytes)
    if ('refusal' in body) {
      // One call to the rate-limit store per request, refused or not: a flood of bad bodies
      // spends the student's allowance of requests as good ones do.
      const refused = auth && (await rateRefusal(auth.id, 0, cors))
      if (refused) return refused
      const { status, message, issues, clientGone } = body.refusal
      if (clientGone) log.info('the client went away before its body arrived')
      return json(status, errorBody(message, issues), cors)
    }
    const { envelope } = body
    const { data, sensor, sendTime } = envelope
    const app = options.deliveryTokens?.app ?? options.sensor ?? origin ?? new URL(request.url).origin
    const actors = actorIds(data)

    if (tokens && (!auth || (actors.length && actors.every((id) => id !== auth.id)))) {
      // Another student's events (a shared computer): theirs if their token says so.
      const found = await tokenStudent(tokens, envelope.deliveryToken, data, app, arrived)
      if (!found.ok) {
        const refused = auth && (await rateRefusal(auth.id, 0, cors))
        if (refused) return refused
        log.info(`delivery token refused (${found.reason}); ${data.length} event(s) wait`)
        count('deferred', data.length)
        if (!auth) return json(401, errorBody(`not signed in, and ${found.reason}`), cors)
        const deliveryToken = await tokens.issue(auth, app, arrived, tokens.sinceFor(undefined, auth.id, [], arrived))
        return json(403, { ...errorBody(`these events belong to another student and ${found.reason}; they wait`), deliveryToken }, cors)
      }
      const { user, claims } = found
      const screened = screenRequest(screening, data, user, false, arrived, sendTime)
      // Only what the token's session covers; the rest is left out of the answer, so it waits.
      const covered = screened.valid.filter((event) => withinToken(event, claims))
      screened.othersWaiting.push(...screened.valid.filter((event) => !covered.includes(event)).map((event) => event.id))
      screened.valid = covered
      // The token's student's allowance: their events, whoever's session carries them. A
      // token-only request gets no token: a token must not extend itself.
      return deliverAndAnswer(`user ${user.id} (by delivery token)`, user, { sensor, events: data.length, screened, cors })
    }
    const user = auth!
    const screened = screenRequest(screening, data, user, false, arrived, sendTime)
    const others = screened.othersWaiting.length
    if (others && others === data.length) {
      const refused = await rateRefusal(user.id, data.length, cors)
      if (refused) return refused
      count('deferred', others)
      return json(403, errorBody('these events belong to another student; they wait for that student'), cors)
    }
    // The student's token, made once the outcome is known: it covers from the session's start
    // (a token presented from the same session), or from the earliest event this answer leaves
    // unsettled (in doubt, held, not sent), else from now. Events delivered need no cover.
    const issue = async (delivered?: Delivered) => {
      const presented = envelope.deliveryToken
      const check = presented === undefined ? undefined : await tokens!.verify(presented, app, arrived)
      const same: DeliveryClaims | undefined = check?.ok ? check.claims : undefined
      const settled = new Set([...(delivered?.forwarded.accepted ?? []), ...(delivered?.duplicates ?? []), ...(delivered?.refused ?? []).map((r) => r.id)])
      const unsettled = screened.valid.filter((event) => !settled.has(event.id))
      return { deliveryToken: await tokens!.issue(user, app, arrived, tokens!.sinceFor(same, user.id, unsettled, arrived)) }
    }
    return deliverAndAnswer(`user ${user.id}`, user, { sensor, events: data.length, screened, cors }, tokens && issue)
  }

  const tooMany = (waitMs: number, cors: Record<string, string>) =>
    json(429, errorBody('too many requests from this student; retry later'), { 'retry-after': String(Math.ceil(waitMs / 1000)), ...cors })

  /** A store (ledger, time budget, rate limits) failed: 503, or the error goes on if it is not one. */
  const storeUnavailable = (error: unknown, cors: Record<string, string>) => {
    if (!(error instanceof StoreUnavailableError)) throw error
    log.error(`${error.message}; answered 503 (ids it had claimed are released, or lapse with their lease if the ledger is down)`)
    return json(503, errorBody('the proxy cannot reach its ledger; retry later'), { 'retry-after': String(STORE_RETRY_AFTER_S), ...cors })
  }

  /** Takes the student's rate allowance now: the answer to give instead (429, 503), or none. */
  const rateRefusal = async (studentId: string, events: number, cors: Record<string, string>) => {
    try {
      const waitMs = await limiter?.take(studentId, events)
      return waitMs ? tooMany(waitMs, cors) : undefined
    } catch (error) {
      return storeUnavailable(error, cors)
    }
  }

  /**
   * Takes the rate allowance for `user` (inside the claim, where the ledger can), delivers the
   * screened events and answers, with what `extra` makes of the outcome in a 200's body.
   */
  const deliverAndAnswer = async (
    who: string,
    user: AuthorizedUser,
    { sensor, events, screened, cors }: { sensor: string; events: number; screened: Screened; cors: Record<string, string> },
    extra?: (delivered?: Delivered) => Promise<object>,
  ): Promise<PlainAnswer> => {
    // A ledger that claims with the rate limit in one step takes the allowance there (a request
    // that claims pays no round trip for it); otherwise it is taken here.
    const rate = foldsRate && screened.valid.length ? { terms: limiter!.terms(events), take: () => limiter!.take(user.id, events) } : undefined
    const refused = rate ? undefined : await rateRefusal(user.id, events, cors)
    if (refused) return refused
    let delivered: Delivered | undefined
    try {
      delivered = screened.valid.length ? await deliver(sensor, screened.valid, user, rate) : undefined
    } catch (error) {
      return storeUnavailable(error, cors)
    }
    if (delivered?.rateWait) return tooMany(limiter!.refused(user.id, delivered.rateWait), cors)
    const notCredited = delivered?.notCredited ?? []
    if (notCredited.length) log.warn(`${who}: ${notCredited.length} event(s) claimed time already credited; forwarded without it`)
    return answer(who, screened, delivered, cors, await extra?.(delivered))
  }

  /** The tracker's answer to a forwarding, with its log line and metrics. */
  const answer = (who: string, screened: Screened, delivered: Delivered | undefined, cors: Record<string, string>, extra: object = {}): PlainAnswer => {
    const { duplicates = [], forwarded = NOTHING_FORWARDED, refused: refusedByApp = [], notCredited = [] } = delivered ?? {}
    const { accepted, inDoubt, failure } = forwarded
    // The platform's own error bodies stay in the proxy: they may echo request headers.
    const refused: Rejection[] = forwarded.refused.map(({ id, status }) => ({
      id,
      errors: [{ path: '', message: `the Caliper API refused this event (${status})` }],
    }))
    const rejected = [...screened.rejected, ...refusedByApp, ...refused]
    if (forwarded.ledgerError) {
      log.error(`ledger write failed (${(forwarded.ledgerError as Error).name}); its ids turn doubtful when their lease ends`)
    }
    count('accepted', accepted.length)
    count('duplicate', duplicates.length)
    count('rejected', rejected.length)
    count('in-doubt', inDoubt.length)
    // Valid events with no outcome yet: held by another request, in doubt, or not sent.
    const settled = accepted.length + duplicates.length + refusedByApp.length + refused.length
    count('deferred', screened.valid.length - settled + screened.othersWaiting.length)
    log.info(
      `${who}: ${accepted.length} forwarded, ${duplicates.length} duplicate, ` +
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
    return json(200, { status: 'success', accepted, duplicates, rejected, ...(notCredited.length ? { notCredited } : {}), ...extra }, cors)
  }

  const core: ProxyCore = {
    maxBodyBytes,
    async handle(request, readBody) {
      const run = async () => {
        try {
          return await handle(request, readBody)
        } catch (error) {
          log.error(`internal error: ${(error as Error).name}`)
          return json(500, errorBody('internal error'))
        }
      }
      return telemetry ? telemetry.request(request, run, (answer) => answer.status) : run()
    },
    async send(given, user) {
      if (!options.sensor) throw new TypeError("proxy.send: set the sensor option (your app's URL) first")
      // As plain JSON, as a browser's events arrive: no getters, prototypes or later changes to
      // what the caller still holds between the checks and the forwarding.
      const events = JSON.parse(JSON.stringify(given)) as unknown[]
      const screened = screenRequest(screening, events, user, true, now())
      // Another student's events are a mistake of the caller here, not a shared computer.
      const theirs = screened.othersWaiting.map((id) => ({ id, errors: [{ path: 'actor', message: 'is not the user given to proxy.send' }] }))
      screened.rejected.push(...theirs)
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
    },
  }
  if (telemetry) {
    const sendEvents = core.send
    core.send = (given, user) => telemetry.request(undefined, () => sendEvents(given, user), () => 200)
  }
  return core
}
