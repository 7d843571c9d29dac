import type { EventExtensions } from './eventTypes.js'

/**
 * Where a run id goes: the event's own Caliper `extensions`, a free-form object in both
 * published OpenAPI documents (which refuse unknown members elsewhere on the event and on
 * `object`). It belongs to the whole event, so not to `generated` or one metric.
 */
export const runExtension = (runId: string | undefined): { extensions?: EventExtensions } =>
  runId ? { extensions: { runId } } : {}

/** The run id an event carries, if any: for proxies and server code joining time to scores. */
export const runIdOf = (event: { extensions?: EventExtensions }): string | undefined => {
  const runId = event.extensions?.runId
  return typeof runId === 'string' ? runId : undefined
}
