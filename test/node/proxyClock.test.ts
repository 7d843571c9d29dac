// Issue 19 §1: a device whose clock is wrong by hours. The proxy puts each envelope's dates on
// its own clock by the envelope's sendTime, answers with its clock (serverTime), and still
// refuses what no honest clock explains.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildActivityEvent, buildTimeSpentEvent } from '../../src/events/index.js'
import type { TimeSpentEvent } from '../../src/events/eventTypes.js'
import { student } from './fakePlatform.js'
import { TRANSIT_MS } from '../../src/proxy/pipeline/correctSendTime.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const MIN = 60_000
const HOUR = 60 * MIN
const NOW = Date.parse('2026-12-04T20:00:00.000Z')
const iso = (t: number) => new Date(t).toISOString()

/** The proxy's clock stands at NOW: what a device whose clock is off by `skew` sends. */
const setup = () => setupProxy({ now: () => NOW })
const sentAt = (sendTime: number | undefined, data: unknown[]) => ({
  sensor: 'https://app.example',
  ...(sendTime === undefined ? {} : { sendTime: iso(sendTime) }),
  dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2',
  data,
})
/** Two active minutes ending at `end`, as a device dates them. */
const twoMinutes = (end: number) =>
  buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 120 }], startDate: end - 2 * MIN, endDate: end })
const messages = (rejection: { errors: Array<{ path: string; message: string }> }) => rejection.errors.map((e) => `${e.path}: ${e.message}`)
const forwarded = (platform: { received: Array<{ data: unknown[] }> }) =>
  platform.received.flatMap((e) => e.data as TimeSpentEvent[])

describe('19.1 the proxy corrects a device clock by the envelope’s sendTime', () => {
  const skews = { '+5 min': 5 * MIN, '+1 h': HOUR, '−3 h': -3 * HOUR, '−2 days': -48 * HOUR, '−40 days': -960 * HOUR }
  for (const [name, skew] of Object.entries(skews)) {
    it(`a device clock ${name}: accepted, forwarded on the proxy's clock (within ${TRANSIT_MS / 1000} s)`, async () => {
      const { proxy, platform } = setup()
      const spent = twoMinutes(NOW + skew - 1000)
      const done = buildActivityEvent({ actor: student, object, metrics: { xpEarned: 100 }, eventTime: NOW + skew - 500 })
      const { body } = await answer(await proxy(post(sentAt(NOW + skew, [spent, done]))))
      assert.deepEqual(body.rejected, [])
      assert.deepEqual(body.accepted, [spent.id, done.id])
      // The clock is taken as right up to TRANSIT_MS: that much of the difference is left.
      const left = Math.sign(skew) * TRANSIT_MS
      const [first, second] = forwarded(platform)
      assert.equal(first!.eventTime, iso(NOW - 1000 + left))
      assert.equal(first!.generated.items[0]!.startDate, iso(NOW - 1000 - 2 * MIN + left))
      assert.equal(first!.generated.items[0]!.endDate, iso(NOW - 1000 + left))
      assert.equal(first!.generated.items[0]!.value, 120)
      assert.equal(second!.eventTime, iso(NOW - 500 + left))
    })
  }

  it('answers with its clock (serverTime), errors too', async () => {
    const { proxy } = setup()
    const ok = await answer(await proxy(post(sentAt(NOW, [twoMinutes(NOW)]))))
    assert.equal(ok.serverTime, NOW)
    const bad = await answer(await proxy(post({ sensor: 'x' })))
    assert.equal(bad.status, 400)
    assert.equal(bad.serverTime, NOW)
  })

  it(`leaves dates sent within ${TRANSIT_MS / 1000} s of its clock, or without a sendTime, as they are`, async () => {
    const { proxy, platform } = setup()
    const near = twoMinutes(NOW - 10 * MIN)
    const undated = twoMinutes(NOW - 5 * MIN)
    await answer(await proxy(post(sentAt(NOW - TRANSIT_MS, [near]))))
    await answer(await proxy(post(sentAt(undefined, [undated]))))
    assert.deepEqual(forwarded(platform).map((e) => e.eventTime), [near.eventTime, undated.eventTime])
  })

  it('the correction grows from 0 without a jump past the transit allowance', async () => {
    const { proxy, platform } = setup()
    const event = twoMinutes(NOW - 10 * MIN)
    await answer(await proxy(post(sentAt(NOW - TRANSIT_MS - 1500, [event]))))
    assert.equal(forwarded(platform)[0]!.eventTime, iso(Date.parse(event.eventTime) + 1500))
  })

  it('without a sendTime, a clock an hour ahead is still refused (nothing to correct by)', async () => {
    const { proxy } = setup()
    const { body } = await answer(await proxy(post(sentAt(undefined, [twoMinutes(NOW + HOUR)]))))
    assert.equal(body.rejected.length, 1)
  })

  it('refuses a forged future window: an event dated after its envelope was sent', async () => {
    const { proxy, platform } = setup()
    // Honest sendTime; and a device an hour behind whose window lies ahead of the proxy's clock
    // read either way (as made, or moved by its sendTime). A window that lies ahead only once
    // moved, but is in the past as made, is what a clock set back after dating sends: it goes
    // as made (below), which credits nothing an honest sendTime would not.
    const future = twoMinutes(NOW + 10 * MIN)
    const behind = twoMinutes(NOW + 10 * MIN)
    const a = await answer(await proxy(post(sentAt(NOW, [future]))))
    const b = await answer(await proxy(post(sentAt(NOW - HOUR, [behind]))))
    const inFuture = "is in the future (by its envelope's sendTime)"
    assert.deepEqual(messages(a.body.rejected[0]), ['eventTime', 'generated.items[0].startDate', 'generated.items[0].endDate'].map((p) => `${p}: ${inFuture}`))
    assert.deepEqual(messages(b.body.rejected[0]), messages(a.body.rejected[0]))
    assert.equal(platform.calls, 0)
  })

  it('a correction moves dates, never adds credit: the same minutes sent twice by two clocks count once', async () => {
    const { proxy, platform } = setup()
    const honest = twoMinutes(NOW - 1000)
    const ahead = twoMinutes(NOW + HOUR - 1000) // the same two minutes, by a clock an hour ahead
    await answer(await proxy(post(sentAt(NOW, [honest]))))
    const { body } = await answer(await proxy(post(sentAt(NOW + HOUR, [ahead]))))
    // What passes a second time is at most what the correction leaves (TRANSIT_MS, the second
    // copy lies that much later) and the budget's 1 s of rounding.
    assert.equal(body.notCredited[0].id, ahead.id)
    const credited = forwarded(platform).flatMap((e) => e.generated.items).reduce((s, i) => s + i.value, 0)
    assert.ok(credited <= 120 + TRANSIT_MS / 1000 + 1, `${credited} s credited for 120 s`)
  })

  it('a clock set back after the events were dated: the events go as they were made, not refused', async () => {
    const { proxy, platform } = setup()
    // Dated right, then the device's clock was set back 10 minutes (by hand, a resync, a wrong
    // time zone fix) before they were sent; and yesterday's events sent by a school PC whose
    // clock reads 2000-01-01 (a dead battery) until the network time arrives.
    const beforeStep = twoMinutes(NOW - 1000)
    const yesterday = twoMinutes(NOW - 24 * HOUR)
    const a = await answer(await proxy(post(sentAt(NOW - 10 * MIN, [beforeStep]))))
    const b = await answer(await proxy(post(sentAt(Date.parse('2000-01-01T00:00:00.000Z'), [yesterday]))))
    assert.deepEqual([a.body.rejected, b.body.rejected], [[], []])
    assert.deepEqual(forwarded(platform).map((e) => e.eventTime), [beforeStep.eventTime, yesterday.eventTime])
  })

  it('the correction is read against the request’s arrival, not after a slow sign-in', async () => {
    let clock = NOW
    const { proxy, platform } = setupProxy({
      now: () => clock,
      authorize: async () => {
        clock += 30_000 // a session lookup that takes 30 s
        return { id: student.id, email: student.email }
      },
    })
    const event = twoMinutes(NOW + HOUR - 1000)
    await answer(await proxy(post(sentAt(NOW + HOUR, [event]))))
    assert.equal(forwarded(platform)[0]!.eventTime, iso(NOW - 1000 + TRANSIT_MS))
  })
})
