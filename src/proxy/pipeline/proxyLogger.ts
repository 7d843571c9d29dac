/** Where the proxy writes its lines. Never sees secrets or tokens. */
export interface ProxyLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** One line per request on the console, prefixed so it can be found among the app's own. */
export const consoleLogger: ProxyLogger = {
  info: (m) => console.info(`[caliper-proxy] ${m}`),
  warn: (m) => console.warn(`[caliper-proxy] ${m}`),
  error: (m) => console.error(`[caliper-proxy] ${m}`),
}
