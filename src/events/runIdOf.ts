import type { EventExtensions } from './eventTypes.js'

// A run id goes in the event's own Caliper `extensions`, a free-form object in both published
// OpenAPI documents (which refuse unknown members elsewhere on the event and on `object`). It
// belongs to the whole event, so not to `generated` or one metric.

/** The run id an event carries, if any: for proxies and server code joining time to scores. */
export const runIdOf = (event: { extensions?: EventExtensions }): string | undefined => {
  const runId = event.extensions?.runId
  return typeof runId === 'string' ? runId : undefined
}
