import type { AcceptEvent } from '../pipeline/admitEvents.js'
import type { CaliperLedger } from '../store/ledger.js'
import type { RateLimitStore } from '../store/rateLimitStore.js'
import type { TimeBudget } from '../store/timeBudget.js'
import type { AuthorizedUser } from '../pipeline/authorizedUser.js'
import type { DeliveryTokenOptions } from '../pipeline/deliveryToken.js'
import type { ProxyLogger } from '../pipeline/proxyLogger.js'
import type { RateLimits } from '../pipeline/rateLimiter.js'
import type { Rejection } from '../pipeline/screenEvents.js'
import type { MetricSink } from '../telemetry/proxyMetrics.js'
import type { ProxyTelemetry } from '../telemetry/proxyTelemetry.js'

/** What `createCaliperProxy` needs: the platform, your session, and the checks it makes. */
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
   * Spans and metrics for a tracing system: `openTelemetry()` from `timeback-tracker/proxy/otel`
   * (OpenTelemetry), or your own `ProxyTelemetry`.
   */
  telemetry?: ProxyTelemetry
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
  acceptEvent?: AcceptEvent
  /** `'server-only'`: ActivityEvents from browsers are refused; your server sends them with `proxy.send`. */
  activityEvents?: 'browser' | 'server-only'
  /** Per-student caps on requests and events per minute (429 with Retry-After), or `false`. */
  rateLimit?: RateLimits | false
  /**
   * Where the rate limits are kept. Default: the ledger, if it is one (SQLite, PostgreSQL and
   * Redis are: every instance on that ledger shares them), else this instance's memory.
   */
  rateLimitStore?: RateLimitStore
  /** Where each student's credited time is kept. Default: the ledger, if it is one, else memory. */
  timeBudget?: TimeBudget
  /** The envelope's `sensor` (your app's URL) for `proxy.send`. */
  sensor?: string
  /**
   * Shared computers: answers carry a delivery token for the signed-in student, which lets the
   * tracker deliver that student's events after they signed out (whoever is signed in then),
   * dated within the session it covers. Without it, other students' events wait (403). Secrets
   * never leave the server. See docs/shared-computers.md.
   */
  deliveryTokens?: DeliveryTokenOptions
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
