// Delivery promises under conditions every real deployment meets (issue 9): an expired session
// redirecting to a sign-in page, HTML from a CDN or WAF, tabs closed or frozen while hidden, a
// slow proxy. (hangsAndFlush.test.ts has the rest.)
import { expect } from 'chai'
import { collector, type Collector } from '../support/collector.js'
import { expectAllDelivered } from '../support/delivered.js'
import { input, pageTransition, setVisibility } from '../support/page.js'
import { MINUTE, SECOND, codes, completeOne, lesson, useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'


describe('delivery in production conditions', () => {
  const slot = useTrackerSlot()
  let sink: Collector
  beforeEach(() => (sink = collector()))

  const queued = async () => (await slot.tracker!.queue()).map((r) => r.id)

  // 9.1
  it('a redirect to a sign-in page acknowledges nothing: sending pauses until flush()', async () => {
    slot.create({ endpoint: sink.url })
    await sink.script([{ status: 302, headers: { location: '/test/fixtures/csp.html' } }])
    const ids = await completeOne(slot)
    await waitFor(() => slot.tracker!.snapshot().queue.paused, 'sending paused')
    expect(await queued()).to.have.members(ids)
    const [error] = slot.errors
    expect(error?.code).to.equal('unauthorized')
    expect(error?.message).to.match(/redirect.*session expired/)
    await slot.clock.tick(10 * MINUTE)
    expect((await sink.received()).length, 'no retries while paused').to.equal(1)
    await slot.tracker!.flush()
    await expectAllDelivered(sink, ids)
    expect(await queued()).to.deep.equal([])
  })

  it('a 200 HTML page (CDN, captive portal) acknowledges nothing: sending pauses until flush()', async () => {
    slot.create({ endpoint: sink.url })
    await sink.script([{ status: 200, body: '<!doctype html><title>Sign in to the Wi-Fi</title>' }])
    const ids = await completeOne(slot)
    await waitFor(() => slot.tracker!.snapshot().queue.paused, 'sending paused')
    expect(await queued()).to.have.members(ids)
    expect(codes(slot.errors)).to.deep.equal(['unauthorized'])
    await slot.tracker!.flush()
    await expectAllDelivered(sink, ids)
  })

  // 9.2
  it('a 400 that is not the proxy’s (a reverse proxy’s HTML) is retried, not dead-lettered', async () => {
    slot.create({ endpoint: sink.url })
    await sink.rules([{ status: 400, body: '<html><h1>400 Request Header Or Cookie Too Large</h1></html>' }])
    const ids = await completeOne(slot)
    await waitFor(async () => (await sink.received()).length >= 1, 'a first attempt')
    await slot.clock.tick(5 * SECOND)
    expect(await slot.tracker!.deadLetters()).to.deep.equal([])
    expect(await queued()).to.have.members(ids)
    expect(codes(slot.errors)).to.deep.equal(['delivery-failed'])
    await sink.clearRules()
    await slot.clock.tick(MINUTE)
    const counts = await expectAllDelivered(sink, ids)
    expect([...counts.values()]).to.deep.equal([1, 1])
    expect(await slot.tracker!.deadLetters()).to.deep.equal([])
  })

  // 9.3
  it('a tab closed after 9 minutes hidden reports its 9 minutes of hidden time', async () => {
    slot.create({ endpoint: sink.url })
    slot.tracker!.startActivity(lesson)
    input()
    await slot.clock.tick(10 * SECOND)
    setVisibility('hidden')
    await slot.clock.tick(9 * MINUTE)
    pageTransition('pagehide', false)
    const beacon = await waitFor(async () => {
      const found = (await sink.received()).filter((r) => r.contentType.startsWith('text/plain'))
      const items = found.flatMap((r) => r.envelope.data).flatMap((e) => e.generated.items)
      return items.find((i: { type: string; value: number }) => i.type === 'inactive') as { value: number } | undefined
    }, 'the hidden time in a beacon')
    expect(beacon.value).to.equal(9 * 60)
  })

  it('a hidden tab frozen (then discarded) has written and beaconed its hidden time', async () => {
    slot.create({ endpoint: sink.url })
    slot.tracker!.startActivity(lesson)
    setVisibility('hidden')
    await slot.clock.tick(7 * MINUTE)
    document.dispatchEvent(new Event('freeze'))
    const stored = (await slot.tracker!.queue()).flatMap((r) => (r.event as { generated: { items: unknown[] } }).generated.items)
    expect(stored).to.deep.include({ type: 'inactive', value: 7 * 60, startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:07:00.000Z' })
    await waitFor(async () => (await sink.received()).some((r) => r.contentType.startsWith('text/plain')), 'a beacon')
  })

  // 9.5
  it('ids the proxy leaves unanswered are asked about on the backoff, not twice a second', async () => {
    slot.create({ endpoint: sink.url })
    await sink.rules([{ unanswered: true }])
    // The jitter at its middle: backoff steps of 0.5, 1, 2, 4, … s.
    const random = Math.random
    Math.random = () => 0.5
    slot.undo.push(() => (Math.random = random))
    const ids = await completeOne(slot)
    const first = await waitFor(async () => (await sink.received()).length, 'the first request')
    await slot.clock.tick(MINUTE)
    const inAMinute = (await sink.received()).length - first
    await slot.clock.tick(10 * MINUTE)
    const inTenMore = (await sink.received()).length - first - inAMinute
    // Retries 0.5, 1.5, 3.5, 7.5, 15.5, 31.5, 63.5, 127.5, 255.5, 405.5, 555.5 s after the first
    // request (the step is capped at 5 min, halved by the jitter), the next at 705.5 s.
    // Twice a second would be 120 a minute.
    expect(first).to.equal(1)
    expect(inAMinute).to.be.at.most(7)
    // At most that: a retry whose answer is still on its way (a loaded engine) when fake time
    // moves on starts its next backoff later, so fewer requests are fine, more are not.
    expect(first + inAMinute + inTenMore, 'in 11 minutes').to.be.within(2, 12)
    await sink.clearRules()
    await slot.tracker!.flush()
    await expectAllDelivered(sink, ids)
  })
})
