// Delivery through a misbehaving proxy: nothing lost, nothing counted twice.
import { expect } from 'chai'
import { TrackerError, type Tracker } from '../../../src/index.js'
import { expectAllDelivered, fetchCounts } from '../support/delivered.js'
import { input, setVisibility } from '../support/page.js'
import { SECOND, lesson, useTracker, type Harness } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

/** Runs `n` short activities (one TimeSpentEvent each, plus an ActivityEvent if completing). */
async function activities(h: Harness, n: number, complete = false): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const activity = h.tracker.startActivity({ ...lesson, id: `${lesson.id}?part=${i}` })
    input()
    await h.clock.tick(2 * SECOND)
    const result = complete ? await activity.complete({ xpEarned: i }) : await activity.end()
    if (result.recorded) ids.push(...result.eventIds)
  }
  return ids
}

const idsIn = async (tracker: Tracker) => (await tracker.queue()).map((r) => r.id)

describe('delivery faults at the proxy', () => {
  const h = useTracker()

  it('500 then 200: retried with backoff, delivered once', async () => {
    await h.sink.script([{ status: 500 }])
    const ids = await activities(h, 1, true)
    await waitFor(async () => (await h.sink.received()).length === 1, 'first attempt')
    await h.clock.tick(2 * SECOND) // the first backoff is at most 1 s
    const counts = await expectAllDelivered(h.sink, ids)
    expect([...counts.values()].every((n) => n === 1), 'each delivered once').to.equal(true)
    expect((await h.sink.received()).map((r) => r.status)).to.deep.equal([500, 200])
    expect(h.errors.map((e) => (e as { code?: string }).code)).to.deep.equal(['delivery-failed'])
    await waitFor(() => h.tracker.snapshot().queue.pending === 0, 'queue empty')
  })

  it('429 with Retry-After: waits that long before asking again', async () => {
    await h.sink.script([{ status: 429, headers: { 'Retry-After': '30' } }])
    const ids = await activities(h, 1)
    await waitFor(async () => (await h.sink.received()).length === 1, 'first attempt')
    await h.clock.tick(29 * SECOND)
    expect((await h.sink.received()).length, 'nothing before Retry-After').to.equal(1)
    await h.clock.tick(2 * SECOND)
    await expectAllDelivered(h.sink, ids)
    await waitFor(() => h.tracker.snapshot().lastDelivery?.status === 200, 'the tracker to see the 200')
  })

  it('413: the batch is split until it fits', async () => {
    await h.sink.rules([{ status: 503 }])
    const ids = await activities(h, 6, true) // 12 events
    await h.sink.clearRules()
    await h.sink.rules([{ status: 413, maxEvents: 3 }])
    await h.tracker.flush()
    const counts = await expectAllDelivered(h.sink, ids, () => h.tracker.flush())
    const ok = (await h.sink.received()).filter((r) => r.status === 200)
    expect(ok.every((r) => r.ids.length <= 3)).to.equal(true)
    expect((await h.sink.received()).some((r) => r.status === 413)).to.equal(true)
    expect([...counts.values()].every((n) => n === 1)).to.equal(true)
    expect(await h.tracker.deadLetters()).to.deep.equal([])
  })

  it('a 400 whose proxy answer rejects one event of a batch: only that event is dead-lettered', async () => {
    await h.sink.rules([{ status: 503 }])
    const ids = await activities(h, 4, true)
    const bad = ids[3]!
    await h.sink.clearRules()
    await h.sink.rules([{ status: 400, containsId: bad, body: { status: 'error', accepted: [], duplicates: [], rejected: [{ id: bad, errors: ['bad'] }] } }])
    await h.tracker.flush()
    const good = ids.filter((id) => id !== bad)
    const counts = await expectAllDelivered(h.sink, good, () => h.tracker.flush())
    expect(counts.has(bad)).to.equal(false)
    const dead = await h.tracker.deadLetters()
    expect(dead.map((d) => d.id)).to.deep.equal([bad])
    expect(dead[0]!.status).to.equal(400)
    const rejected = h.errors.filter((e) => (e as { code?: string }).code === 'event-rejected')
    expect(rejected.flatMap((e) => (e as unknown as { eventIds: string[] }).eventIds)).to.deep.equal([bad])
    expect(await idsIn(h.tracker)).to.deep.equal([])
  })

  it('a 200 that rejects one event by id dead-letters just that one', async () => {
    await h.sink.rules([{ status: 503 }])
    const ids = await activities(h, 2, true)
    await h.sink.clearRules()
    await h.sink.script([{ status: 200, reject: [ids[0]!] }])
    await h.tracker.flush()
    await expectAllDelivered(h.sink, ids.slice(1))
    expect((await h.tracker.deadLetters()).map((d) => d.id)).to.deep.equal([ids[0]])
    // The proxy's reasons reach onError (issue 12: refusals are reported with their reason).
    const rejected = h.errors.find((e): e is TrackerError => e instanceof TrackerError && e.code === 'event-rejected')!
    expect([rejected.eventIds, rejected.cause]).to.deep.equal([[ids[0]], [['refused by test']]])
  })

  it('401: sending pauses without dropping anything, until flush()', async () => {
    await h.sink.script([{ status: 401 }])
    const ids = await activities(h, 1, true)
    await waitFor(() => h.tracker.snapshot().queue.paused, 'paused')
    await h.clock.tick(10 * 60 * SECOND)
    expect((await h.sink.received()).length, 'no retries while paused').to.equal(1)
    expect(await idsIn(h.tracker)).to.have.members(ids)
    await h.tracker.flush()
    await expectAllDelivered(h.sink, ids)
    expect(h.tracker.snapshot().queue.paused).to.equal(false)
  })

  it('more than 64 KiB pending at hide time: beacons of at most 60 KiB, in order', async () => {
    await h.sink.rules([{ status: 503, contentType: 'application/json' }])
    const ids = await activities(h, 90)
    const beaconsBefore = (await h.sink.received()).filter((r) => r.contentType.startsWith('text/plain')).length
    expect(beaconsBefore).to.equal(0)
    // The order is the one the page hands beacons to the browser in: each beacon is a request of
    // its own, and they reach the proxy in any order (in WebKit the small last one often arrives
    // first), so the collector's order proves nothing.
    const calls: Array<{ ids: string[]; bytes: number; queued: boolean }> = []
    const original = navigator.sendBeacon
    navigator.sendBeacon = function (url, body) {
      const queued = original.call(navigator, url, body)
      const text = String(body)
      calls.push({ ids: (JSON.parse(text) as { data: Array<{ id: string }> }).data.map((e) => e.id), bytes: new TextEncoder().encode(text).length, queued })
      return queued
    }
    try {
      setVisibility('hidden')
    } finally {
      navigator.sendBeacon = original
    }
    // Browsers allow 64 KiB of beacons in flight per page: the page fills 60 KiB chunks, oldest
    // events first, and hands over no more than the quota holds (nor anything after a refusal).
    expect(calls.length, 'beacons').to.be.above(0)
    expect(calls.every((c) => c.bytes <= 60 * 1024)).to.equal(true)
    expect(calls[0]!.bytes).to.be.greaterThan(50 * 1024)
    expect(calls.reduce((sum, c) => sum + c.bytes, 0)).to.be.at.most(64 * 1024)
    expect(calls.slice(0, -1).every((c) => c.queued), 'nothing after a refusal').to.equal(true)
    const beaconed = calls.flatMap((c) => c.ids)
    expect(beaconed).to.deep.equal(ids.slice(0, beaconed.length))
    expect(beaconed.length, 'more than the quota was pending').to.be.below(ids.length)
    // Every beacon the browser took reaches the proxy, as it was handed over.
    const sent = calls.filter((c) => c.queued).map((c) => `${c.bytes} ${c.ids.join(' ')}`)
    expect(sent.length, 'beacons the browser took').to.be.above(0)
    const beacons = await waitFor(async () => {
      const found = (await h.sink.received()).filter((r) => r.contentType.startsWith('text/plain'))
      return found.length >= sent.length && found
    }, 'beacons')
    expect(beacons.map((b) => `${b.bytes} ${b.ids.join(' ')}`).sort()).to.deep.equal(sent.sort())
    // Beacons are never taken as delivered: once the proxy answers fetches, the same ids are
    // sent again and answered as duplicates, which empties the journal.
    await h.sink.clearRules()
    setVisibility('visible')
    await waitFor(async () => {
      await h.tracker.flush()
      return h.tracker.snapshot().queue.pending === 0
    }, 'journal emptied')
    const fetched = await fetchCounts(h.sink)
    expect(ids.every((id) => fetched.has(id))).to.equal(true)
  })

  it('sendBeacon returning false: stop at once, deliver later by fetch', async () => {
    await h.sink.rules([{ status: 503, contentType: 'application/json' }])
    const ids = await activities(h, 90)
    const calls: number[] = []
    const original = navigator.sendBeacon
    navigator.sendBeacon = (_url, body) => {
      calls.push(String(body).length)
      return false
    }
    try {
      setVisibility('hidden')
      expect(calls.length, 'stopped at the first false').to.equal(1)
    } finally {
      navigator.sendBeacon = original
    }
    await h.sink.clearRules()
    setVisibility('visible')
    await expectAllDelivered(h.sink, ids, () => h.tracker.flush())
  })
})
