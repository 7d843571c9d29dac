// Issue 19 §1: the estimate of the offset between the device's clock and the server's (pure).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ESTIMATE_MAX_AGE_MS, nextEstimate, trusted } from '../../src/delivery/clockEstimate.js'

const HOUR = 3_600_000
const T = Date.parse('2026-12-04T20:00:00.000Z')

describe('19.1 the server clock estimate', () => {
  it('reads the offset at the middle of the round trip', () => {
    // Device an hour ahead: sent at T+1h, answered 100 ms later, the server read T+50 ms.
    assert.deepEqual(nextEstimate(undefined, T + HOUR, T + HOUR + 100, T + 50, 0), { offset: -HOUR, rtt: 100, at: T + HOUR + 100 })
  })

  it('keeps the estimate of the fastest round trip while answers agree', () => {
    const fast = nextEstimate(undefined, T, T + 20, T + 10 + 3, 0)! // offset 3 ± 10
    const slow = nextEstimate(fast, T + 1000, T + 1800, T + 1400 + 200, 0) // offset 200 ± 400: agrees
    assert.equal(slow, fast)
    const faster = nextEstimate(fast, T + 2000, T + 2010, T + 2005 + 5, 0)! // offset 5 ± 5
    assert.deepEqual(faster, { offset: 5, rtt: 10, at: T + 2010 })
  })

  it('takes a slower answer that cannot agree with the kept one: the device clock was set since', () => {
    const fast = nextEstimate(undefined, T, T + 20, T + 10 - HOUR, 0)! // an hour ahead
    const fixed = nextEstimate(fast, T + 5000, T + 5300, T + 5150, 0)! // the clock was set right
    assert.deepEqual(fixed, { offset: 0, rtt: 300, at: T + 5300 })
  })

  it('a Date header counts as a second later than it reads, with a second more doubt', () => {
    // The server's clock read T + 0.7 s; its Date header says T (whole seconds, cut down).
    const coarse = nextEstimate(undefined, T + HOUR + 600, T + HOUR + 800, T, 1000)!
    assert.deepEqual(coarse, { offset: -HOUR - 200, rtt: 1200, at: T + HOUR + 800 })
    assert.ok(Math.abs(coarse.offset - -HOUR) <= coarse.rtt / 2)
    const exact = nextEstimate(coarse, T + HOUR + 1000, T + HOUR + 1100, T + 1050, 0)!
    assert.deepEqual(exact, { offset: -HOUR, rtt: 100, at: T + HOUR + 1100 })
  })

  it('a round trip that ran backwards (the clock set during the request) says nothing', () => {
    const kept = nextEstimate(undefined, T, T + 20, T + 10, 0)
    assert.equal(nextEstimate(kept, T + 1000, T + 500, T + 900, 0), kept)
    assert.equal(nextEstimate(undefined, T + 1000, T + 500, T + 900, 0), undefined)
  })

  it('a kept estimate is trusted for a day, then no more', () => {
    const kept = { offset: -HOUR, rtt: 50, at: T }
    assert.equal(trusted(kept, T + ESTIMATE_MAX_AGE_MS - 1), kept)
    assert.equal(trusted(kept, T + ESTIMATE_MAX_AGE_MS), undefined)
    assert.equal(trusted(undefined, T), undefined)
    assert.equal(trusted({ nonsense: true } as never, T), undefined)
  })
})
