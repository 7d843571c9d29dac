// Wall-clock corrections and sleep, through a real tracker on the fake clock, in every engine.
// A correction moves Date.now alone; a sleep that the monotonic clock counts moves both clocks
// with no timer running (see support/fakeClock.ts).
import { expect } from 'chai'
import { createTracker, type Tracker } from '../../../src/index.js'
import type { Collector } from '../support/collector.js'
import { collector } from '../support/collector.js'
import { expectAllDelivered } from '../support/delivered.js'
import type { FakeClock } from '../support/fakeClock.js'
import { openTrackerFrame } from '../support/frames.js'
import { input, randomId } from '../support/page.js'
import { MINUTE, SECOND, actor, lesson, reportedSeconds, useFakePage, useTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const totalsInSeconds = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / 1000]))

/** A student at work: input every 10 s (inside the idle timeout) for `ms`. */
async function work(clock: FakeClock, ms: number, poke: () => void = input): Promise<void> {
  for (let t = 0; t < ms; t += 10 * SECOND) {
    poke()
    await clock.tick(10 * SECOND)
  }
}

interface DatedSlice {
  id: string
  start: number
  end: number
  seconds: number
}

/** The TimeSpentEvents that reached the collector, once each, in the order they were dated. */
async function slicesOf(sink: Collector): Promise<DatedSlice[]> {
  const byId = new Map<string, DatedSlice>()
  for (const request of await sink.received()) {
    for (const event of request.envelope.data) {
      if (event.type !== 'TimeSpentEvent') continue
      const items: Array<{ value: number; startDate: string; endDate: string }> = event.generated.items
      const seconds = items.reduce((sum, item) => sum + item.value, 0)
      const [start, end] = [Date.parse(items[0]!.startDate), Date.parse(items[0]!.endDate)]
      byId.set(event.id, { id: event.id, start, end, seconds })
    }
  }
  return [...byId.values()].sort((a, b) => a.start - b.start || a.end - b.end)
}

/** Each slice starts where the previous one ended, ends after it starts and spans its seconds. */
function expectContinuous(slices: DatedSlice[], start: number): void {
  expect(slices.length, 'slices').to.be.greaterThan(1)
  let at = start
  for (const slice of slices) {
    expect(slice.start, `slice ${slice.id} starts where the previous one ended`).to.equal(at)
    const span = slice.end - slice.start
    expect(span, `slice ${slice.id} spans the seconds it reports`).to.be.at.least(slice.seconds * SECOND)
    expect(slice.end, `slice ${slice.id} ends after it starts`).to.be.greaterThan(slice.start)
    at = slice.end
  }
}

describe('wall-clock corrections mid-activity (fake clock)', () => {
  const h = useTracker()

  for (const [direction, shift] of [
    ['backwards', -10 * MINUTE],
    ['forwards', 10 * MINUTE],
  ] as const) {
    it(`a 10-minute ${direction} correction loses and adds no credited time; slices stay in order`, async () => {
      const start = h.clock.now()
      const activity = h.tracker.startActivity(lesson)
      await work(h.clock, 60 * SECOND)
      h.clock.shiftWall(shift)
      await work(h.clock, 120 * SECOND)
      input()
      await h.clock.tick(5 * SECOND)
      await activity.end()
      expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 185 })
      await waitFor(async () => (await reportedSeconds(h.sink)).active === 185 && true, '185 s reported')
      expect(await reportedSeconds(h.sink)).to.deep.equal({ active: 185 })
      const slices = await slicesOf(h.sink)
      expectContinuous(slices, start)
      const last = slices[slices.length - 1]!
      if (shift > 0) expect(last.end, 'dates rejoin the corrected clock').to.equal(h.clock.now())
      else expect(last.end - h.clock.now(), 'dates run ahead of the corrected clock by the correction').to.equal(-shift)
    })
  }

  it('after a backwards correction, dates rejoin the corrected clock during time not reported', async () => {
    const activity = h.tracker.startActivity(lesson)
    await work(h.clock, 30 * SECOND)
    h.clock.shiftWall(-5 * MINUTE)
    await work(h.clock, 30 * SECOND)
    activity.pause()
    await h.clock.tick(6 * MINUTE)
    activity.resume()
    await work(h.clock, 30 * SECOND)
    await activity.end()
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 90, 'not-counted': 360 })
    await waitFor(async () => (await reportedSeconds(h.sink)).active === 90 && true, '90 s reported')
    const slices = await slicesOf(h.sink)
    expect(slices[slices.length - 1]!.end, 'the last slice ends at the corrected clock').to.equal(h.clock.now())
  })

  it('a sleep the monotonic clock counts (timers fire late) is still unknown', async () => {
    const activity = h.tracker.startActivity(lesson)
    await work(h.clock, 20 * SECOND)
    h.clock.jump(30 * MINUTE)
    await h.clock.tick(0) // the overdue timer fires
    input()
    await h.clock.tick(10 * SECOND)
    // The last input was at 10 s; the next wake-up (a checkpoint) was due at 25 s.
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 35, unknown: 30 * 60 - 5 })
  })

  it('a sleep with a correction on top: the unknown stretch is what the monotonic clock saw', async () => {
    const activity = h.tracker.startActivity(lesson)
    await work(h.clock, 20 * SECOND)
    h.clock.jump(30 * MINUTE)
    h.clock.shiftWall(-1 * MINUTE)
    input()
    await h.clock.tick(10 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 35, unknown: 30 * 60 - 5 })
  })
})

describe('checkpoints and crash recovery across a correction', () => {
  const trackers: Tracker[] = []
  // This page's clock runs on the same fake calendar as the frames' (retention is by date).
  const page = useFakePage(async () => {
    await Promise.all(trackers.splice(0).map((t) => t.destroy()))
    document.querySelectorAll('iframe').forEach((f) => f.remove())
  })

  for (const shift of [-10 * MINUTE, 10 * MINUTE]) {
    it(`a crash after a ${shift / MINUTE}-minute correction: the sealed checkpoint continues the dates`, async () => {
      const store = `test-${randomId()}`
      const sink = collector()
      // The frame's fake clock starts on the same calendar as this page's.
      const tab = await openTrackerFrame({ store, endpoint: sink.url, start: true, fakeClock: true, crash: true })
      const clock = tab.clock!
      const start = clock.now()
      await work(clock, 60 * SECOND, tab.input) // the first slice closes at 60 s
      clock.shiftWall(shift)
      await work(clock, 10 * SECOND, tab.input)
      tab.input()
      await clock.tick(3 * SECOND) // checkpoints at 65 s and 70 s; the crash comes at 73 s
      const open = await waitFor(async () => {
        const found = (await tab.tracker.queue()).find((r) => r.open)
        return (found?.event as any)?.generated.items[0].value === 10 && found
      }, 'the checkpoint at 70 s')
      tab.frame.remove() // a crash: the page never hears pagehide
      page.clock.jump(15 * MINUTE) // past the checkpoint's promise to write again, on any shift

      const options = { endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store }
      const next = createTracker({ ...options, onError: () => {} })
      trackers.push(next)
      await expectAllDelivered(sink, [open.id], () => next.flush())
      const slices = await waitFor(async () => {
        await next.flush()
        const found = await slicesOf(sink)
        return found.length === 2 && found
      }, 'both slices delivered')
      expect(slices.map((s) => s.seconds)).to.deep.equal([60, 10])
      expectContinuous(slices, start)
      expect(slices[0]!.end).to.equal(start + 60 * SECOND)
      expect(slices[1]!.end).to.equal(shift > 0 ? start + 70 * SECOND + shift : start + 70 * SECOND)
    })
  }
})

// The same corrections and sleep on Playwright's own page clock, where the launcher is Playwright
// (Chromium): `setSystemTime` moves Date alone, `fastForward` moves both clocks and fires the
// overdue timers late, as a device that slept with its monotonic clock running.
if (navigator.userAgent.includes('Chrome/')) {
  describe("on Playwright's page clock (Chromium)", function () {
    this.timeout(60_000) // a page of its own and a server round trip per step, on a loaded machine
    const pages: string[] = []
    afterEach(async () => {
      const { executeServerCommand } = await import('@web/test-runner-commands')
      for (const name of pages.splice(0)) await executeServerCommand('close-page', { name })
    })

    const openPage = async () => {
      const { executeServerCommand } = await import('@web/test-runner-commands')
      const name = `clock-${randomId()}`
      const sink = collector()
      const url = `/test/fixtures/trackerFrame.html?store=test-${randomId()}&endpoint=${sink.url}`
      await executeServerCommand('open-page', { name, url, clockTime: Date.parse('2025-03-01T10:00:00.000Z') })
      pages.push(name)
      const run = async (expression: string) =>
        ((await executeServerCommand('page-eval', { name, expression })) as { value: any }).value
      const clock = (method: 'pauseAt' | 'runFor' | 'fastForward' | 'setSystemTime', arg: number) =>
        executeServerCommand('page-clock', { name, method, arg })
      await waitFor(() => run('!!window.harness').catch(() => false), 'the tracker page on the page clock', 50_000)
      // Real time must not leak into measured time: stop the clock (it ran in real time while the
      // page loaded), then start the activity.
      const start = Math.ceil(((await run('Date.now()')) as number) / SECOND + 1) * SECOND
      await clock('pauseAt', start)
      await run(`(harness.activity = harness.tracker.startActivity(${JSON.stringify(lesson)}), true)`)
      // Input every 10 s from the page's own (fake) timer: two round trips per stretch of work.
      const work = async (ms: number) => {
        const input = `dispatchEvent(new PointerEvent('pointermove'))`
        await run(`${input}; window.poke = setInterval(() => ${input}, ${10 * SECOND})`)
        await clock('runFor', ms)
        await run('clearInterval(window.poke)')
      }
      return { run, clock, work, sink, start }
    }

    for (const shift of [-10 * MINUTE, 10 * MINUTE]) {
      it(`a ${shift / MINUTE}-minute correction (setSystemTime) loses and adds nothing`, async () => {
        const page = await openPage()
        await page.work(60 * SECOND)
        await page.clock('setSystemTime', (await page.run('Date.now()')) + shift)
        await page.work(120 * SECOND)
        await page.run('harness.activity.end()')
        expect(totalsInSeconds(await page.run('harness.activity.totals'))).to.deep.equal({ active: 180 })
        await page.run('harness.tracker.flush()')
        await waitFor(async () => (await reportedSeconds(page.sink)).active === 180 && true, '180 s reported')
        expectContinuous(await slicesOf(page.sink), page.start)
      })
    }

    it('a 30-minute sleep (fastForward: timers fire late) is unknown', async () => {
      const page = await openPage()
      await page.work(20 * SECOND)
      await page.clock('fastForward', 30 * MINUTE)
      await page.work(10 * SECOND)
      // The last input before the sleep was at 10 s; the next wake-up (a checkpoint) was due at 25 s.
      const totals = totalsInSeconds(await page.run('harness.activity.totals'))
      expect(totals).to.deep.equal({ active: 35, unknown: 30 * 60 - 5 })
    })
  })
}
