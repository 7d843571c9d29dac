// timeback-tracker/proxy/otel: OpenTelemetry for the proxy (needs `@opentelemetry/api`).
export { openTelemetry } from './openTelemetry.js'
export type { OpenTelemetryOptions } from './openTelemetry.js'
