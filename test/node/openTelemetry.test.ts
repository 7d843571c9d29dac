// OpenTelemetry for the proxy, read back through the OpenTelemetry SDK's in-memory exporters:
// the spans of a request and their parents, the trace context the Caliper API receives, the
// metrics under their semantic-convention names, and nothing secret or identifying recorded.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { openTelemetry } from '../../src/proxy/otel/index.js'
import { CALIPER_URL, CLIENT_SECRET, completed, envelope, student, timeSpent } from './fakePlatform.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

let spans: InMemorySpanExporter
let tracerProvider: TracerProvider
let metricExporter: InMemoryMetricExporter
let reader: PeriodicExportingMetricReader
let meterProvider: MeterProvider
let contextManager: AsyncLocalStorageContextManager

const telemetry = (extra = {}) => openTelemetry({ tracerProvider, meterProvider, ...extra })
const named = (name: string) => spans.getFinishedSpans().filter((s) => s.name === name)
/** The span of the request (its client calls are named after their method too). */
const requestSpan = () => spans.getFinishedSpans().find((s) => s.attributes['url.path'] !== undefined)
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** The data points of one metric, after a collection. */
async function points(name: string) {
  await reader.forceFlush()
  const all = metricExporter.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? []
  return all.find((m) => m.descriptor.name === name)?.dataPoints ?? []
}

describe('OpenTelemetry', () => {
  beforeEach(() => {
    contextManager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(contextManager)
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    spans = new InMemorySpanExporter()
    tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })
    metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
    meterProvider = new MeterProvider({ readers: [reader] })
  })

  afterEach(async () => {
    await meterProvider.shutdown()
    await tracerProvider.shutdown()
    context.disable()
    propagation.disable()
  })

  it('gives a request a server span with child spans for the ledger, the budget, the token and the Caliper API', async () => {
    const { proxy } = setupProxy({ telemetry: telemetry() })
    const res = await answer(await proxy(post(envelope([timeSpent(), completed()]))))
    assert.equal(res.status, 200)
    assert.equal(res.body.accepted.length, 2)

    const request = requestSpan()
    assert.ok(request, 'a span named after the method')
    assert.equal(request.kind, SpanKind.SERVER)
    assert.equal(request.attributes['http.request.method'], 'POST')
    assert.equal(request.attributes['http.response.status_code'], 200)
    assert.equal(request.attributes['url.path'], '/api/caliper')
    assert.equal(request.attributes['timeback.events.accepted'], 2)
    const id = request.spanContext().spanId

    for (const step of ['timeback.ledger.claim', 'timeback.ledger.commit', 'timeback.budget.reserve']) {
      const [span] = named(step)
      assert.ok(span, `a ${step} span`)
      assert.equal(parentOf(span), id, `${step} is a child of the request`)
    }
    const calls = spans.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT)
    const token = calls.find((s) => s.attributes['timeback.call'] === 'token')
    const upstream = calls.find((s) => s.attributes['timeback.call'] === 'upstream')
    assert.ok(token && upstream)
    assert.equal(parentOf(upstream), id)
    assert.equal(upstream.attributes['http.response.status_code'], 200)
    assert.equal(upstream.attributes['server.address'], new URL(CALIPER_URL).hostname)
    assert.equal(new Set(spans.getFinishedSpans().map((s) => s.spanContext().traceId)).size, 1, 'one trace')
  })

  it('passes W3C trace context to the Caliper API, and continues the caller’s trace', async () => {
    const seen: Array<string | null> = []
    const { proxy, platform } = setupProxy({
      telemetry: telemetry(),
      fetch: async (input, init) => {
        if (String(input).startsWith(CALIPER_URL)) seen.push(new Headers(init?.headers).get('traceparent'))
        return platform.fetch(input, init)
      },
    })
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const res = await proxy(post(envelope([timeSpent()]), { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` }))
    assert.equal(res.status, 200)
    const upstream = spans.getFinishedSpans().find((s) => s.attributes['timeback.call'] === 'upstream')!
    assert.equal(upstream.spanContext().traceId, callerTrace)
    assert.deepEqual(seen, [`00-${callerTrace}-${upstream.spanContext().spanId}-01`])
    const request = requestSpan()
    assert.equal(parentOf(request!), '00f067aa0ba902b7')
  })

  it('is a child span, not a second server span, under a span the app already started', async () => {
    const { proxy } = setupProxy({ telemetry: telemetry() })
    const app = tracerProvider.getTracer('app')
    await app.startActiveSpan('app route', async (span) => {
      await proxy(post(envelope([timeSpent()])))
      span.end()
    })
    const request = requestSpan()
    assert.equal(request!.kind, SpanKind.INTERNAL)
    assert.equal(parentOf(request!), named('app route')[0]!.spanContext().spanId)
  })

  it('records metrics under semantic-convention names, events by outcome', async () => {
    const { proxy } = setupProxy({ telemetry: telemetry() })
    const events = [timeSpent(), completed()]
    await proxy(post(envelope(events)))
    await proxy(post(envelope(events)))
    const server = await points('http.server.request.duration')
    assert.equal(server.length, 1)
    assert.equal((server[0]!.value as { count: number }).count, 2)
    assert.deepEqual(server[0]!.attributes, { 'http.request.method': 'POST', 'http.response.status_code': 200 })
    const byOutcome = Object.fromEntries((await points('timeback.proxy.events')).map((p) => [p.attributes['timeback.event.outcome'], p.value]))
    assert.deepEqual(byOutcome, { accepted: 2, duplicate: 2 })
    const client = await points('http.client.request.duration')
    assert.deepEqual(client.map((p) => p.attributes['timeback.call']).sort(), ['token', 'upstream'])
    assert.ok((await points('timeback.proxy.step.duration')).some((p) => p.attributes['timeback.step'] === 'ledger.claim'))
  })

  it('marks a failed platform call and a 503 answer as errors', async () => {
    const { proxy, platform } = setupProxy({ telemetry: telemetry() })
    platform.script.push(500)
    const res = await proxy(post(envelope([timeSpent()])))
    assert.equal(res.status, 503)
    const request = requestSpan()
    assert.equal(request!.status.code, SpanStatusCode.ERROR)
    assert.equal(request!.attributes['http.response.status_code'], 503)
    const upstream = spans.getFinishedSpans().find((s) => s.attributes['timeback.call'] === 'upstream')!
    assert.equal(upstream.status.code, SpanStatusCode.ERROR)
    assert.equal(upstream.attributes['error.type'], '500')
  })

  it('gives proxy.send a span of its own', async () => {
    const { proxy } = setupProxy({ telemetry: telemetry(), sensor: 'https://app.example' })
    const outcome = await proxy.send([completed()], student)
    assert.equal(outcome.accepted.length, 1)
    const [send] = named('timeback.proxy.send')
    assert.ok(send)
    assert.equal(parentOf(named('timeback.ledger.claim')[0]!), send.spanContext().spanId)
  })

  it('records no token, secret or student unless asked, and the student id when asked', async () => {
    const { proxy, platform } = setupProxy({ telemetry: telemetry() })
    await proxy(post(envelope([timeSpent()])))
    const recorded = JSON.stringify(spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.events]))
    for (const secret of [CLIENT_SECRET, ...platform.issued, student.id, student.email]) assert.ok(!recorded.includes(secret), `recorded ${secret}`)
    assert.ok(!JSON.stringify(metricExporter.getMetrics()).includes(student.id))

    spans.reset()
    const asked = setupProxy({ telemetry: telemetry({ recordStudentId: true }) })
    await asked.proxy(post(envelope([timeSpent()])))
    assert.equal(requestSpan()!.attributes['enduser.id'], student.id)
  })

  it('changes nothing the proxy answers', async () => {
    const events = [timeSpent(), completed()]
    const plain = await answer(await setupProxy().proxy(post(envelope(events))))
    const traced = await answer(await setupProxy({ telemetry: telemetry() }).proxy(post(envelope(events))))
    assert.deepEqual(traced.body, plain.body)
    assert.equal(traced.status, plain.status)
  })
})
