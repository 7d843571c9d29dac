// Issue 19 §1: the tracker's estimate of the offset between the device's clock and the server's
// (pure), and how envelopes are put on the server's clock with it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ESTIMATE_MAX_AGE_MS, nextEstimate, onServerClock, plausible, trusted } from '../../src/delivery/clockEstimate.js'
import { buildEnvelope } from '../../src/events/buildEnvelope.js'

const HOUR = 3_600_000
const T = Date.parse('2026-12-04T20:00:00.000Z')

describe('19.1 the server clock estimate', () => {
  it('reads the offset at the middle of the round trip', () => {
    // Device an hour ahead: sent at T+1h, answered 100 ms later, the server read T+50 ms.
    assert.deepEqual(nextEstimate(undefined, T + HOUR, 100, T + 50, 0), [-HOUR, 100, T + HOUR])
  })

  it('keeps the estimate of the fastest round trip while answers agree', () => {
    const fast = nextEstimate(undefined, T, 20, T + 10 + 3, 0) // offset 3 ± 10
    const slow = nextEstimate(fast, T + 1000, 800, T + 1400 + 200, 0) // offset 200 ± 400: agrees
    assert.equal(slow, fast)
    assert.deepEqual(nextEstimate(fast, T + 2000, 10, T + 2005 + 5, 0), [5, 10, T + 2000])
  })

  it('takes a slower answer that cannot agree with the kept one: the device clock was set since', () => {
    const fast = nextEstimate(undefined, T, 20, T + 10 - HOUR, 0) // an hour ahead
    assert.deepEqual(nextEstimate(fast, T + 5000, 300, T + 5150, 0), [0, 300, T + 5000]) // set right
  })

  it('a Date header counts as half a second later than it reads, with a second more doubt', () => {
    // The server's clock read T + 0.7 s; its Date header says T (whole seconds, cut down).
    const coarse = nextEstimate(undefined, T + HOUR + 600, 200, T, 1000)
    assert.deepEqual(coarse, [-HOUR - 200, 1200, T + HOUR + 600])
    assert.ok(Math.abs(coarse[0] - -HOUR) <= coarse[1] / 2)
    assert.deepEqual(nextEstimate(coarse, T + HOUR + 1000, 100, T + 1050, 0), [-HOUR, 100, T + HOUR + 1000])
  })

  it('believes only a server time that is an epoch between 2020 and 2096', () => {
    for (const bad of [undefined, null, 0, 1e9, NaN, Infinity, '1764878400000', 1e15]) assert.equal(plausible(bad), false)
    assert.equal(plausible(T), true)
  })

  it('a kept estimate is trusted for a day, then no more', () => {
    const kept: [number, number, number] = [-HOUR, 50, T]
    assert.equal(trusted(kept, T + ESTIMATE_MAX_AGE_MS - 1), kept)
    assert.equal(trusted(kept, T + ESTIMATE_MAX_AGE_MS), undefined)
    assert.equal(trusted(undefined, T), undefined)
    assert.equal(trusted({ nonsense: true } as never, T), undefined)
  })

  it('moves every date of an envelope, sendTime too, and nothing else', () => {
    const at = '2026-12-04T21:00:00.000Z'
    const event = {
      eventTime: at,
      generated: { items: [{ type: 'active', value: 60, startDate: at, endDate: at }, { type: 'xpEarned', value: 5 }] },
      extensions: { runId: 'urn:uuid:x', startDate: 'not a date', note: at },
    }
    const moved = onServerClock(buildEnvelope('https://app.example', [event], Date.parse(at)), -HOUR)
    const back = '2026-12-04T20:00:00.000Z'
    assert.equal(moved.sendTime, back)
    assert.deepEqual(moved.data[0], {
      eventTime: back,
      generated: { items: [{ type: 'active', value: 60, startDate: back, endDate: back }, { type: 'xpEarned', value: 5 }] },
      extensions: { runId: 'urn:uuid:x', startDate: 'not a date', note: at },
    })
  })
})
