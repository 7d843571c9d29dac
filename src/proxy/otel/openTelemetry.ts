import {
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Meter,
  type MeterProvider,
  type Span,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api'
import type { ProxyMetric } from '../telemetry/proxyMetrics.js'
import type { ProxyCall, ProxyStep, ProxyTelemetry } from '../telemetry/proxyTelemetry.js'

export interface OpenTelemetryOptions {
  /** Default: the global one (`trace.getTracerProvider()`), as the OpenTelemetry SDK registers it. */
  tracerProvider?: TracerProvider
  /** Default: the global one (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider
  /**
   * Put the student's id on the request's span (`enduser.id`). Off by default: a trace store is
   * rarely meant to hold who did what. Tokens and secrets are never recorded.
   */
  recordStudentId?: boolean
}

const NAME = 'timeback-tracker/proxy'

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
}

/** `http.request.method` as the semantic conventions want it: known methods, else `_OTHER`. */
const methodOf = (method: string) =>
  ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'].includes(method.toUpperCase()) ? method.toUpperCase() : '_OTHER'

/**
 * OpenTelemetry for the proxy (`@opentelemetry/api`, an optional peer dependency): a span per
 * request (SERVER, continuing the caller's trace from `traceparent`, or INTERNAL under a span
 * your framework already started) with child spans for the ledger, the time budget, the OAuth
 * token and the Caliper API call (CLIENT, W3C trace context passed upstream), and metrics named
 * after the semantic conventions: `http.server.request.duration`, `http.client.request.duration`
 * (`timeback.call`: `token` or `upstream`), `timeback.proxy.events` (by `timeback.event.outcome`)
 * and `timeback.proxy.step.duration` (by `timeback.step`). Child spans need a context manager,
 * which the OpenTelemetry Node SDK registers.
 *
 * @example
 * import { openTelemetry } from 'timeback-tracker/proxy/otel'
 * const proxy = createCaliperProxy({ ...options, telemetry: openTelemetry() })
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): ProxyTelemetry {
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(NAME)
  const meter: Meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(NAME)
  const serverDuration = meter.createHistogram('http.server.request.duration', { unit: 's', description: 'Duration of HTTP server requests.' })
  const clientDuration = meter.createHistogram('http.client.request.duration', { unit: 's', description: 'Duration of HTTP client requests.' })
  const stepDuration = meter.createHistogram('timeback.proxy.step.duration', { unit: 's', description: 'Duration of the proxy’s ledger and time-budget calls.' })
  const events = meter.createCounter('timeback.proxy.events', { unit: '{event}', description: 'Events handled by the proxy, by outcome.' })

  const ended = (span: Span, status: number | undefined, error?: unknown) => {
    if (status !== undefined) span.setAttribute('http.response.status_code', status)
    if (error !== undefined || (status ?? 0) >= 500) {
      const type = error === undefined ? String(status) : ((error as Error).name ?? 'Error')
      span.setAttribute('error.type', type)
      span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }

  return {
    async request(request, handle, statusOf) {
      const started = performance.now()
      const active = trace.getSpan(context.active())
      // Under a span the app's framework started, a child; else the server span of this request.
      const parent = active || !request ? context.active() : propagation.extract(context.active(), request.headers, headerGetter)
      const method = methodOf(request?.method ?? 'POST')
      const attributes: Attributes = request
        ? { 'http.request.method': method, 'url.path': new URL(request.url).pathname }
        : { 'timeback.operation': 'send' }
      const span = tracer.startSpan(request ? method : 'timeback.proxy.send', { kind: request && !active ? SpanKind.SERVER : SpanKind.INTERNAL, attributes }, parent)
      let status: number | undefined
      try {
        const result = await context.with(trace.setSpan(parent, span), handle)
        status = statusOf(result)
        ended(span, request ? status : undefined)
        return result
      } catch (error) {
        ended(span, undefined, error)
        throw error
      } finally {
        if (request) {
          const metricAttributes: Attributes = { 'http.request.method': method, ...(status === undefined ? { 'error.type': 'exception' } : { 'http.response.status_code': status }) }
          serverDuration.record((performance.now() - started) / 1000, metricAttributes)
        }
      }
    },
    async step<T>(step: ProxyStep, run: () => Promise<T>, facts: { ids: number; student?: string }) {
      if (options.recordStudentId && facts.student) trace.getSpan(context.active())?.setAttribute('enduser.id', facts.student)
      const started = performance.now()
      const span = tracer.startSpan(`timeback.${step}`, { kind: SpanKind.INTERNAL, attributes: { 'timeback.step': step, 'timeback.ids': facts.ids } })
      try {
        const result = await context.with(trace.setSpan(context.active(), span), run)
        span.end()
        return result
      } catch (error) {
        ended(span, undefined, error)
        throw error
      } finally {
        stepDuration.record((performance.now() - started) / 1000, { 'timeback.step': step })
      }
    },
    fetch(call: ProxyCall, fetchImpl) {
      return async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input))
        const method = methodOf(init?.method ?? (input instanceof Request ? input.method : 'GET'))
        const attributes: Attributes = {
          'http.request.method': method,
          'server.address': url.hostname,
          'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
          'url.full': `${url.origin}${url.pathname}`,
          'timeback.call': call,
        }
        const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes })
        const started = performance.now()
        const spanContext = trace.setSpan(context.active(), span)
        const headers = new Headers(init?.headers)
        // The Caliper API may continue the trace; the token endpoint is not told about it.
        if (call === 'upstream') propagation.inject(spanContext, headers, { set: (h, k, v) => h.set(k, v) })
        const metricAttributes = { 'http.request.method': method, 'server.address': url.hostname, 'timeback.call': call }
        try {
          const response = await context.with(spanContext, () => fetchImpl(input, { ...init, headers }))
          ended(span, response.status)
          clientDuration.record((performance.now() - started) / 1000, { ...metricAttributes, 'http.response.status_code': response.status })
          return response
        } catch (error) {
          ended(span, undefined, error)
          clientDuration.record((performance.now() - started) / 1000, { ...metricAttributes, 'error.type': (error as Error).name ?? 'Error' })
          throw error
        }
      }
    },
    metric(m: ProxyMetric) {
      if (m.name !== 'events') return
      events.add(m.count, { 'timeback.event.outcome': m.outcome })
      const span = trace.getSpan(context.active())
      if (span) span.setAttribute(`timeback.events.${m.outcome}`, m.count)
    },
  }
}
