// Faults of the page and of storage: crashes, reloads while offline, two tabs, IndexedDB
// failing, quota, corrupt records. Every generated event must reach the collector.
import { expect } from 'chai'
import { createStore, set } from 'idb-keyval'
import { createTracker, TrackerError, type Tracker } from '../../../src/index.js'
import { collector } from '../support/collector.js'
import { expectAllDelivered, fetchCounts } from '../support/delivered.js'
import { installFakeClock, type FakeClock } from '../support/fakeClock.js'
import { openTrackerFrame, reloadFrame } from '../support/frames.js'
import { input, randomId } from '../support/page.js'
import { MINUTE, SECOND, actor, codes, lesson, useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'


describe('a crashed page (no pagehide) loses at most checkpointMs', () => {
  const trackers: Tracker[] = []
  let clock: FakeClock
  // This page's clock runs on the same fake calendar as the frames' (retention is by date).
  beforeEach(() => (clock = installFakeClock()))
  afterEach(async () => {
    clock.uninstall()
    await Promise.all(trackers.splice(0).map((t) => t.destroy()))
    document.querySelectorAll('iframe').forEach((f) => f.remove())
  })

  it('the next page of the origin turns the dead page’s checkpoint into an event', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true, crash: true })
    for (let i = 0; i < 13; i++) {
      tab.input()
      await tab.clock!.tick(1 * SECOND)
    }
    // Checkpoints were taken at 5 s and 10 s of active time; the crash comes at 13 s.
    const open = await waitFor(async () => (await tab.tracker.queue()).find((r) => r.open), 'an open checkpoint')
    expect((open.event as any).generated.items).to.deep.equal([
      { type: 'active', value: 10, startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:00:10.000Z' },
    ])
    expect(open.open, 'the page promised to write again within sliceMs (+ clockGapToleranceMs)').to.equal(true)
    tab.frame.remove() // the page dies without hearing pagehide, and writes nothing again

    const next = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} })
    trackers.push(next)
    // Until its promise (sliceMs + clockGapToleranceMs after the checkpoint) has passed, the page
    // might still be alive: its checkpoint is left alone. Once passed, it is sealed and sent.
    clock.jump(Date.parse((open.event as any).eventTime) + 75 * SECOND - clock.now())
    await next.flush()
    expect((await sink.deliveredCounts()).has(open.id), 'sealed before the promise passed').to.equal(false)
    clock.jump(1)
    const counts = await expectAllDelivered(sink, [open.id], () => next.flush())
    expect(counts.get(open.id)).to.equal(1)
    const [request] = (await sink.received()).filter((r) => r.ids.includes(open.id))
    expect(request!.envelope.data.find((e) => e.id === open.id)!.generated.items[0].value).to.equal(10)
    expect(await next.queue()).to.deep.equal([])
  })

  it('a page that stalled past its promise is sealed; it goes on under a new id with the rest', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true })
    for (let i = 0; i < 13; i++) {
      tab.input()
      await tab.clock!.tick(1 * SECOND)
    }
    const open = await waitFor(async () => {
      const found = (await tab.tracker.queue()).find((r) => r.open)
      return (found?.event as any)?.generated.items[0].value === 10 && found
    }, 'the checkpoint at 10 s')
    // The device sleeps with the page visible (the lid shut): both its clocks move on and no
    // timer runs, so it breaks its promise. Another tab of the same calendar takes it for dead.
    tab.clock!.jump(2 * MINUTE)
    clock.jump(2 * MINUTE + 13 * SECOND)
    const other = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} })
    trackers.push(other)
    await expectAllDelivered(sink, [open.id], () => other.flush())

    // The page wakes: its late timer closes the slice (the sleep is a clock gap), then it ends.
    tab.input()
    await tab.clock!.tick(1 * SECOND)
    const totals = tab.activity!.totals
    const result = await tab.activity!.end()
    const ids = result.recorded ? result.eventIds : []
    await expectAllDelivered(sink, ids, () => tab.tracker.flush())
    const events = new Map<string, any>()
    for (const request of await sink.received()) for (const event of request.envelope?.data ?? []) if (!events.has(event.id)) events.set(event.id, event)
    const seconds = (type: string) =>
      [...events.values()].flatMap((e) => e.generated?.items ?? []).filter((i: any) => i.type === type).reduce((sum: number, i: any) => sum + i.value, 0)
    // What was sealed is not reported again, and nothing after it is lost: every second once.
    expect([...(await sink.deliveredCounts()).values()].every((n) => n === 1), 'each id delivered once').to.equal(true)
    expect(events.get(open.id).generated.items).to.deep.equal((open.event as any).generated.items)
    expect({ active: seconds('active'), unknown: seconds('unknown') }).to.deep.equal({
      active: Math.floor(totals.active / 1000),
      unknown: Math.floor(totals.unknown / 1000),
    })
    expect(totals.unknown, 'the sleep').to.be.greaterThan(MINUTE)
    // The rest of the slice starts where the sealed checkpoint ended.
    const rest = [...events.values()].find((e) => e.id !== open.id && e.generated?.items?.some((i: any) => i.type === 'unknown'))
    expect(rest.generated.items[0].startDate).to.equal((open.event as any).generated.items[0].endDate)
  })

  it('a checkpoint stored by version 1 (held under a lock, no promise) is dead 5 minutes after', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true })
    for (let i = 0; i < 6; i++) {
      tab.input()
      await tab.clock!.tick(1 * SECOND)
    }
    const { event } = await waitFor(async () => (await tab.tracker.queue()).find((r) => r.open), 'a checkpoint to copy')
    await tab.tracker.destroy()
    const id = `urn:uuid:${crypto.randomUUID()}`
    const open = { owner: 'old-page', lock: `${store}:page:old-page`, at: clock.now() }
    const old = { v: 1, id, event: { ...(event as object), id }, createdAt: clock.now(), open }
    await set(`e:${old.id}`, old, createStore(store, 'journal'))

    const next = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} })
    trackers.push(next)
    clock.jump(5 * MINUTE) // its lock is free (nobody holds it), but the page may be a live old tab
    await next.flush()
    expect((await sink.deliveredCounts()).has(old.id), 'sealed within 5 minutes').to.equal(false)
    clock.jump(1)
    expect((await expectAllDelivered(sink, [old.id], () => next.flush())).get(old.id)).to.equal(1)
  })

  it('a page whose IndexedDB failed seals no checkpoint from the copy it read before', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true, crash: true })
    for (let i = 0; i < 6; i++) {
      tab.input()
      await tab.clock!.tick(1 * SECOND)
    }
    const open = await waitFor(async () => (await tab.tracker.queue()).find((r) => r.open), 'an open checkpoint')
    const options = { endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} }
    const other = createTracker(options)
    trackers.push(other)
    await other.flush() // its mirror now holds a copy of the checkpoint
    const { transaction } = IDBDatabase.prototype
    IDBDatabase.prototype.transaction = () => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError')
    }
    try {
      await other.flush()
      expect(other.snapshot().queue.storage).to.equal('memory')
      // The copy's promise passes; the page may have renewed it in IndexedDB, which this page
      // cannot read: the copy is not sealed (its page crashed here, but it cannot tell).
      tab.frame.remove()
      clock.jump(2 * MINUTE)
      await other.flush()
      expect((await sink.deliveredCounts()).has(open.id)).to.equal(false)
    } finally {
      IDBDatabase.prototype.transaction = transaction
    }
    await other.destroy() // the next page load of the origin
    const next = createTracker(options)
    trackers.push(next)
    expect((await expectAllDelivered(sink, [open.id], () => next.flush())).get(open.id)).to.equal(1)
  })

  it('a live page’s checkpoint is never taken over', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true })
    for (let i = 0; i < 6; i++) {
      tab.input()
      await tab.clock!.tick(1 * SECOND)
    }
    const open = await waitFor(async () => (await tab.tracker.queue()).find((r) => r.open), 'an open checkpoint')
    const other = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: `${store}`, onError: () => {} })
    trackers.push(other)
    await other.flush()
    expect((await sink.deliveredCounts()).has(open.id)).to.equal(false)
    expect((await other.queue()).find((r) => r.id === open.id)?.open).to.equal(true)
    // The live page then finishes the slice itself, with the same id and its full time.
    await tab.activity!.end()
    await tab.tracker.flush()
    const counts = await expectAllDelivered(sink, [open.id])
    expect(counts.get(open.id)).to.equal(1)
  })
})

describe('offline, a reload while offline, then the network comes back', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()))

  it('delivers everything from both page loads once online', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    let tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true, offline: true })
    tab.input()
    await tab.clock!.tick(20 * SECOND)
    const first = await tab.activity!.complete({ xpEarned: 5 })
    await tab.clock!.tick(5 * SECOND)
    await waitFor(() => codes(tab.errors).includes('delivery-failed'), 'a failed delivery')
    tab = await reloadFrame(tab) // still offline
    tab.input()
    await tab.clock!.tick(15 * SECOND)
    const second = await tab.activity!.end()
    await tab.clock!.tick(5 * SECOND)
    expect((await sink.received()).length, 'nothing got through while offline').to.equal(0)
    const ids = [...(first.recorded ? first.eventIds : []), ...(second.recorded ? second.eventIds : [])]
    expect(ids).to.have.length(3)
    expect((await tab.tracker.queue()).map((r) => r.id)).to.have.members(ids)
    tab.reconnect()
    const counts = await expectAllDelivered(sink, ids)
    expect([...counts.values()].every((n) => n === 1), 'no duplicates').to.equal(true)
    await tab.tracker.destroy()
  })
})

describe('two tabs enqueue and flush at once', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()))

  it('no event is sent by both (one flusher per origin)', async () => {
    const store = `test-${randomId()}`
    const sink = collector()
    await sink.rules([{ delayMs: 150 }])
    const tabs = await Promise.all([1, 2].map(() => openTrackerFrame({ store, endpoint: sink.url, fakeClock: true })))
    const ids: string[] = []
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        tabs.map(async (tab, i) => {
          const activity = tab.tracker.startActivity({ ...lesson, id: `${lesson.id}?tab=${i}&round=${round}` })
          tab.input()
          await tab.clock!.tick(3 * SECOND)
          return activity.complete({ xpEarned: round })
        }),
      )
      for (const r of results) if (r.recorded) ids.push(...r.eventIds)
      await Promise.all(tabs.map((tab) => tab.tracker.flush()))
    }
    await expectAllDelivered(sink, ids)
    const fetched = await fetchCounts(sink)
    expect([...fetched.entries()].filter(([, n]) => n > 1), 'sent twice').to.deep.equal([])
    // And the flushes never overlapped in time.
    const spans = (await sink.received()).map((r) => [r.at, r.answeredAt] as const).sort((a, b) => a[0] - b[0])
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).to.be.at.least(spans[i - 1]![1])
    await Promise.all(tabs.map((tab) => tab.tracker.destroy()))
  })
})

describe('storage faults', () => {
  const slot = useTrackerSlot()
  const start = (storeName = `test-${randomId()}`, endpoint = collector().url) => slot.create({ storeName, endpoint })
  const oneActivity = async () => {
    const activity = slot.tracker!.startActivity(lesson)
    input()
    await slot.clock.tick(10 * SECOND)
    const result = await activity.complete({ xpEarned: 1 })
    return result.recorded ? result.eventIds : []
  }

  it('IndexedDB cannot open: carries on in memory, says so once, loses nothing', async () => {
    const open = IDBFactory.prototype.open
    IDBFactory.prototype.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError')
    }
    slot.undo.push(() => (IDBFactory.prototype.open = open))
    const sink = collector()
    start(undefined, sink.url)
    const ids = [...(await oneActivity()), ...(await oneActivity())]
    await expectAllDelivered(sink, ids, () => slot.tracker!.flush())
    expect(codes(slot.errors)).to.deep.equal(['storage-unavailable'])
    expect(slot.tracker!.snapshot().queue.storage).to.equal('memory')
  })

  it('quota exceeded on write: retried once, then memory, tried again on a backoff; nothing lost', async () => {
    const put = IDBObjectStore.prototype.put
    let tries = 0
    IDBObjectStore.prototype.put = function () {
      tries++
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    const restore = () => (IDBObjectStore.prototype.put = put)
    slot.undo.push(restore)
    const sink = collector()
    let triesWhenReported = -1
    slot.create({
      endpoint: sink.url,
      onError: (e) => {
        slot.errors.push(e)
        if (e.code === 'storage-unavailable') triesWhenReported = tries
      },
    })
    const ids = await oneActivity()
    await expectAllDelivered(sink, ids, () => slot.tracker!.flush())
    // The failing write was tried again on a fresh connection before giving up on IndexedDB
    // (writes already in flight each get their own retry); after that, only the backoff's
    // write-backs (1 s, 2 s, 4 s… apart) try it.
    expect(triesWhenReported).to.be.at.least(2)
    const settled = tries
    const more = await oneActivity()
    await expectAllDelivered(sink, more, () => slot.tracker!.flush())
    expect(tries - settled, 'IndexedDB writes after the switch to memory').to.be.at.most(4)
    expect(codes(slot.errors)).to.deep.equal(['storage-unavailable'])
    expect((slot.errors[0] as TrackerError).cause).to.be.instanceOf(DOMException)
    // Room again: the next write goes to IndexedDB (with nothing to write, nothing is tried).
    restore()
    await slot.clock.tick(30 * SECOND)
    expect(slot.tracker!.snapshot().queue.storage).to.equal('memory')
    await oneActivity()
    expect(slot.tracker!.snapshot().queue.storage).to.equal('indexeddb')
    expect(codes(slot.errors)).to.deep.equal(['storage-unavailable', 'storage-restored'])
  })

  it('a corrupt record is set aside and reported; the rest is delivered', async () => {
    const storeName = `test-${randomId()}`
    const store = createStore(storeName, 'journal')
    await set('e:garbage', { hello: 'world' }, store)
    await set('e:urn:uuid:00000000-0000-4000-8000-000000000000', { v: 1, id: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, store)
    await set('e:not-even-an-object', 'x', store)
    const sink = collector()
    start(storeName, sink.url)
    const ids = await oneActivity()
    await expectAllDelivered(sink, ids, () => slot.tracker!.flush())
    expect(codes(slot.errors)).to.deep.equal(['corrupt-record'])
    expect((await slot.tracker!.deadLetters()).map((d) => d.reason)).to.deep.equal(['corrupt record', 'corrupt record', 'corrupt record'])
    expect(await slot.tracker!.queue()).to.deep.equal([])
  })

  it('dead letters are kept for retentionMs, then deleted', async () => {
    const storeName = `test-${randomId()}`
    const store = createStore(storeName, 'journal')
    const letter = (id: string, at: number) => ({ v: 1, id, event: {}, reason: 'expired', at })
    await set('d:old', letter('old', slot.clock.now() - 31 * 24 * 3600 * SECOND), store)
    await set('d:recent', letter('recent', slot.clock.now() - 1000), store)
    start(storeName)
    await slot.tracker!.flush()
    expect((await slot.tracker!.deadLetters()).map((d) => d.id)).to.deep.equal(['recent'])
  })

  it('events past retentionMs go to the dead-letter store, reported', async () => {
    const sink = collector()
    await sink.rules([{ status: 503 }])
    slot.create({ endpoint: sink.url, retentionMs: 60_000 })
    const ids = await oneActivity()
    await slot.clock.tick(61 * SECOND)
    await slot.tracker!.flush()
    expect((await slot.tracker!.deadLetters()).map((d) => d.id)).to.have.members(ids)
    expect(codes(slot.errors)).to.include('event-expired')
  })

  it('over maxStoredEvents: the oldest TimeSpentEvents go first, never an ActivityEvent', async () => {
    const sink = collector()
    await sink.rules([{ status: 503 }])
    const tracker = slot.create({ endpoint: sink.url, maxStoredEvents: 3 })
    const ids = [...(await oneActivity()), ...(await oneActivity()), ...(await oneActivity())]
    await tracker.flush()
    const left = await tracker.queue()
    expect(left.map((r) => r.type).sort()).to.deep.equal(['ActivityEvent', 'ActivityEvent', 'ActivityEvent'])
    const evicted = slot.errors.filter((e) => (e as TrackerError).code === 'event-evicted').flatMap((e) => (e as TrackerError).eventIds)
    expect(evicted).to.have.members(ids.filter((id) => !left.some((r) => r.id === id)))
  })
})

// Chromium under Playwright can crash a renderer for real; Firefox (puppeteer/BiDi) and WebKit
// (WebDriver classic) offer no such command, so there the frame-removal emulation above stands in.
if (navigator.userAgent.includes('Chrome/')) {
  describe('a real renderer crash (Chromium, CDP Page.crash)', () => {
    let tracker: Tracker | undefined
    afterEach(async () => {
      await tracker?.destroy()
      tracker = undefined
    })

    it('the checkpointed time of the crashed tab arrives after the next load', async () => {
      const { executeServerCommand } = await import('@web/test-runner-commands')
      const store = `test-${randomId()}`
      const sink = collector()
      const name = `crash-${randomId()}`
      await executeServerCommand('open-page', { name, url: `/test/fixtures/trackerFrame.html?store=${store}&endpoint=${sink.url}&start&fakeClock` })
      const run = async (expression: string) => ((await executeServerCommand('page-eval', { name, expression })) as { value: unknown }).value
      await run(`new Promise((resolve) => (window.harness ? resolve() : addEventListener('harness-ready', resolve)))`)
      await run(`(async () => { for (let i = 0; i < 12; i++) { dispatchEvent(new PointerEvent('pointermove')); await harness.clock.tick(1000) } })()`)
      const open = (await run(`harness.tracker.queue().then((q) => q.filter((r) => r.open).map((r) => ({ id: r.id, items: r.event.generated.items })))`)) as Array<{ id: string; items: Array<{ type: string; value: number }> }>
      expect(open).to.have.length(1)
      expect(open[0]!.items.map((i) => [i.type, i.value])).to.deep.equal([['active', 10]])
      await executeServerCommand('crash-page', { name })

      const clock = installFakeClock()
      clock.jump(2 * MINUTE) // past the crashed page's promise to write again
      try {
        tracker = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} })
        const counts = await expectAllDelivered(sink, [open[0]!.id], () => tracker!.flush())
        expect(counts.get(open[0]!.id)).to.equal(1)
      } finally {
        clock.uninstall()
      }
    })
  })
}
