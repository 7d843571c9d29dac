/** Where the proxy writes its lines. Never sees secrets or tokens. */
export interface ProxyLogger {
  /** A request handled: who, how many forwarded, duplicate, rejected, in doubt. */
  info(message: string): void
  /** Something to look at that lost nothing (a cross-site request, an id forwarded again). */
  warn(message: string): void
  /** A failure: the platform, the ledger or the proxy itself (never with secrets or tokens). */
  error(message: string): void
}

/** One line per request on the console, prefixed so it can be found among the app's own. */
export const consoleLogger: ProxyLogger = {
  info: (m) => console.info(`[caliper-proxy] ${m}`),
  warn: (m) => console.warn(`[caliper-proxy] ${m}`),
  error: (m) => console.error(`[caliper-proxy] ${m}`),
}
