/**
 * OpenTelemetry for the proxy (needs `@opentelemetry/api`).
 *
 * @module timeback-tracker/proxy/otel
 */
export { openTelemetry } from './openTelemetry.js'
export type { OpenTelemetryOptions } from './openTelemetry.js'
