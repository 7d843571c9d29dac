/**
 * What the proxy reports through its `onMetric` hook, one call per fact; map them onto your
 * metrics library (Prometheus counters and histograms, OpenTelemetry instruments, logs).
 *
 * - `events`: how many events of a request ended how. `accepted`: forwarded and taken;
 *   `duplicate`: the platform already had them; `rejected`: invalid; `in-doubt`: sent, answer
 *   lost (held, see `inDoubtHoldMs`); `deferred`: left for the tracker to resend (held by
 *   another request, in doubt, another student's, or the platform unavailable).
 * - `upstream`: one POST to the Caliper API, its status (or `timeout`, `network`) and duration.
 * - `token`: one token fetch, whether it worked, and its duration.
 */
export type ProxyMetric =
  | { name: 'events'; outcome: 'accepted' | 'duplicate' | 'rejected' | 'in-doubt' | 'deferred'; count: number }
  | { name: 'upstream'; status: number | 'timeout' | 'network'; ms: number }
  | { name: 'token'; ok: boolean; ms: number }

export type MetricSink = (metric: ProxyMetric) => void
