import type { IncomingMessage, ServerResponse } from 'node:http'
import { createProxyCore } from './http/createProxyCore.js'
import { toResponse } from './http/jsonAnswers.js'
import type { CaliperProxyOptions, ProxyOutcome } from './http/proxyOptions.js'
import { toNodeHandler } from './node/nodeAdapter.js'
import type { AuthorizedUser } from './pipeline/authorizedUser.js'

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

/**
 * The reference backend proxy between the tracker and the Timeback Caliper API. It keeps the
 * OAuth2 secret on the server, refuses cross-site requests, binds every event's actor to the
 * signed-in user, validates events with the same schemas the tracker uses, forwards each event
 * id at most once (ledger), and answers with the tracker's protocol:
 * `{ status: "success", accepted, duplicates, rejected, serverTime }`. Each envelope's dates are
 * first put on the proxy's clock by its `sendTime`, so a device's wrong clock costs nothing.
 *
 * The fetch-standard core (`http/`) knows no server; the Node adapter (`node/`) depends on it
 * and is joined here, and neither imports a `node:` module at run time.
 *
 * @example
 * const proxy = createCaliperProxy({ caliperUrl, tokenUrl, clientId, clientSecret,
 *   authorize: async (request) => (await getSession(request))?.user ?? null })
 * export const POST = proxy              // Next.js route handler, Hono, Workers
 * app.post('/api/caliper', proxy.node)   // Express (or http.createServer(proxy.node))
 */
export function createCaliperProxy(options: CaliperProxyOptions): CaliperProxy {
  const core = createProxyCore(options)
  const proxy = (async (request: Request) => toResponse(await core.handle(request))) as CaliperProxy
  proxy.node = toNodeHandler(core.handle, { maxBodyBytes: core.maxBodyBytes })
  proxy.send = core.send
  return proxy
}
