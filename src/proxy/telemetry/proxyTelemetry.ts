import type { ProxyMetric } from './proxyMetrics.js'

/** The proxy's own steps that telemetry may time: the ledger's and the time budget's calls. */
export type ProxyStep =
  | 'ledger.claim'
  | 'ledger.renew'
  | 'ledger.commit'
  | 'ledger.release'
  | 'ledger.markInDoubt'
  | 'budget.reserve'
  | 'budget.release'

/** The calls the proxy makes: the OAuth token endpoint, and the Caliper API. */
export type ProxyCall = 'token' | 'upstream'

/**
 * Where the proxy reports what it does, for a tracing and metrics system (see
 * `timeback-tracker/proxy/otel` for OpenTelemetry). Every method wraps work the proxy does
 * anyway; none may change what it does or answers.
 */
export interface ProxyTelemetry {
  /**
   * Runs the handling of one request (`undefined` for a `proxy.send`), ended by the status of
   * what it returns (`statusOf`) or by what it throws.
   */
  request<T>(request: Request | undefined, handle: () => Promise<T>, statusOf: (result: T) => number): Promise<T>
  /** Runs one step of the current request; `student` is given for the budget's steps only. */
  step<T>(step: ProxyStep, run: () => Promise<T>, facts: { ids: number; student?: string }): Promise<T>
  /** Wraps the `fetch` the proxy uses for `call` (timing it, and passing trace context on). */
  fetch(call: ProxyCall, fetch: typeof globalThis.fetch): typeof globalThis.fetch
  /** Each fact the proxy reports to `onMetric` as well. */
  metric(metric: ProxyMetric): void
}
