// The pure classification of a proxy's HTTP answer (src/delivery/classifyOutcome.ts): only a
// body in the proxy protocol's shape acknowledges or refuses events; anything else is retried
// or pauses sending, and never deletes or dead-letters a batch.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyOutcome, type HttpAnswer } from '../../src/delivery/classifyOutcome.js'

const ids = ['a', 'b', 'c']
const NOW = Date.parse('2026-01-05T09:00:00Z')
const answer = (over: Partial<HttpAnswer>): HttpAnswer => ({ status: 200, redirected: false, retryAfter: null, body: undefined, ...over })
const protocol = (accepted: string[], duplicates: string[] = [], rejected: Array<{ id: string; errors: unknown }> = []) => ({ status: 'success', accepted, duplicates, rejected })

describe('classifyOutcome', () => {
  it('a proxy answer acknowledges accepted and duplicate ids, refuses rejected ones, keeps the rest', () => {
    const outcome = classifyOutcome(answer({ body: protocol(['a'], ['b']) }), ids, NOW)
    assert.deepEqual(outcome, { kind: 'answered', status: 200, done: ['a', 'b'], rejected: [], unanswered: ['c'], corrects: false })
    const refusing = classifyOutcome(answer({ body: protocol(['a', 'b'], [], [{ id: 'c', errors: ['bad'] }]) }), ids, NOW)
    assert.deepEqual(refusing, { kind: 'answered', status: 200, done: ['a', 'b'], rejected: [{ id: 'c', errors: ['bad'] }], unanswered: [], corrects: false })
  })

  it('a redirected answer pauses (a sign-in page), even when it is a 200 with JSON', () => {
    const outcome = classifyOutcome(answer({ redirected: true, body: protocol(ids) }), ids, NOW)
    assert.equal(outcome.kind, 'pause')
    assert.match((outcome as { why: string }).why, /redirect.*session expired/)
  })

  it('a 2xx that is not a proxy answer (HTML, no body, a bare Caliper success) pauses, acknowledging nothing', () => {
    for (const body of [undefined, 'not json', { status: 'success' }, { accepted: 'a' }, null]) {
      const outcome = classifyOutcome(answer({ body }), ids, NOW)
      assert.equal(outcome.kind, 'pause', JSON.stringify(body))
    }
    assert.equal(classifyOutcome(answer({ status: 204 }), ids, NOW).kind, 'pause')
  })

  it('401 and 403 pause', () => {
    for (const status of [401, 403]) assert.deepEqual(classifyOutcome(answer({ status }), ids, NOW), { kind: 'pause', status, why: `the proxy answered ${status}` })
  })

  it('a 400/422 with per-event rejections refuses just those events', () => {
    const outcome = classifyOutcome(answer({ status: 422, body: protocol([], [], [{ id: 'b', errors: ['x'] }]) }), ids, NOW)
    assert.deepEqual(outcome, { kind: 'answered', status: 422, done: [], rejected: [{ id: 'b', errors: ['x'] }], unanswered: ['a', 'c'], corrects: false })
  })

  it('an answer with serverTime says the proxy corrects dates by sendTime (issue 19)', () => {
    const outcome = classifyOutcome(answer({ body: { ...protocol(ids), serverTime: NOW } }), ids, NOW)
    assert.equal(outcome.kind === 'answered' && outcome.corrects, true)
  })

  it('a 400/422 that is not the proxy’s (reverse proxy, WAF, HTML) is retried, never blamed on the events', () => {
    for (const body of [undefined, { status: 'error', message: 'Request Header Or Cookie Too Large' }, protocol([])]) {
      for (const status of [400, 422]) assert.deepEqual(classifyOutcome(answer({ status, body }), ids, NOW), { kind: 'retry', status })
    }
  })

  it('413 splits', () => {
    assert.deepEqual(classifyOutcome(answer({ status: 413 }), ids, NOW), { kind: 'split', status: 413 })
  })

  it('408, 429, 5xx and anything else retry, honouring Retry-After in seconds or as a date', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 418]) assert.deepEqual(classifyOutcome(answer({ status }), ids, NOW), { kind: 'retry', status })
    assert.deepEqual(classifyOutcome(answer({ status: 429, retryAfter: '30' }), ids, NOW), { kind: 'retry', status: 429, retryAfterMs: 30_000 })
    const date = new Date(NOW + 90_000).toUTCString()
    assert.deepEqual(classifyOutcome(answer({ status: 503, retryAfter: date }), ids, NOW), { kind: 'retry', status: 503, retryAfterMs: 90_000 })
  })
})
