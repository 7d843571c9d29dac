// A page prerendered by speculation rules (issue 19.2), faked the way web-vitals' tests fake
// it: `document.prerendering` redefined, the page hidden, then `prerenderingchange` at
// activation. On the fake clock, in every engine (only Chromium prerenders for real; see
// test/e2e/prerender.e2e.test.ts). Nothing counts, is stored or is sent before activation.
import { expect } from 'chai'
import { collector } from '../support/collector.js'
import { input, pageTransition, setVisibility } from '../support/page.js'
import { MINUTE, SECOND, lesson, reportedSeconds, useTrackerSlot, work } from '../support/trackerHarness.js'
import { realDelay, waitFor } from '../support/waitFor.js'

const totalsInSeconds = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / 1000]))

/** The page as a prerender sees it: hidden, with no `visibilitychange` (it never was visible). */
function prerender(): void {
  Object.defineProperty(document, 'prerendering', { configurable: true, get: () => true })
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
}

/**
 * The student follows the link. In Chromium's order: the page turns visible (`visibilitychange`
 * while `document.prerendering` is still true), then `prerenderingchange`.
 */
function activate(): void {
  setVisibility('visible')
  delete (document as unknown as Record<string, unknown>).prerendering
  document.dispatchEvent(new Event('prerenderingchange'))
}

const startDates = (events: Array<Record<string, any>>) =>
  events.filter((e) => e.type === 'TimeSpentEvent').map((e) => Date.parse(e.generated.items[0].startDate))

describe('a prerendered page', () => {
  const slot = useTrackerSlot()
  beforeEach(() => {
    prerender()
    slot.undo.push(() => delete (document as unknown as Record<string, unknown>).prerendering)
  })

  it('counts from activation: prerendered 15 s, then worked 20 s → 20 s active, nothing inactive', async () => {
    const sink = collector()
    const tracker = slot.create({ endpoint: sink.url })
    const activity = tracker.startActivity(lesson)
    await slot.clock.tick(15 * SECOND)
    expect(totalsInSeconds(activity.totals), 'no time before activation').to.deep.equal({})
    expect(activity.status).to.equal('running')
    const activatedAt = slot.clock.now()
    activate()
    await work(slot.clock, 20)
    await activity.end()
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 20 })
    expect(activity.timeline()[0]!.start, 'the timeline starts at activation').to.equal(activatedAt)
    await waitFor(async () => (await reportedSeconds(sink)).active === 20 && true, '20 s reported')
    expect(await reportedSeconds(sink)).to.deep.equal({ active: 20 })
    const events = (await sink.received()).flatMap((r) => r.envelope.data)
    expect(Math.min(...startDates(events)), 'the first slice starts at activation').to.equal(activatedAt)
  })

  it('applies the app’s pause and marks made before activation from activation on', async () => {
    const tracker = slot.create()
    const activity = tracker.startActivity(lesson)
    activity.mark('waste', 'intro-video')
    activity.pause()
    await slot.clock.tick(10 * SECOND)
    activate()
    await slot.clock.tick(5 * SECOND)
    activity.resume()
    await work(slot.clock, 10)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ 'not-counted': 5, waste: 10 })
  })

  it('stores and sends nothing if never shown, not even to a later page of the origin', async () => {
    const sink = collector()
    const store = `test-prerender-${Math.random().toString(36).slice(2)}`
    const tracker = slot.create({ endpoint: sink.url, storeName: store, checkpointMs: 2 * SECOND })
    const activity = tracker.startActivity(lesson)
    activity.mark('waste')
    input()
    await slot.clock.tick(2 * MINUTE)
    expect(await tracker.queue(), 'nothing stored, no checkpoint').to.deep.equal([])
    expect(await activity.end(), 'ending it records nothing').to.deep.equal({ recorded: true, eventIds: [] })
    pageTransition('pagehide', false) // the browser discards the prerender
    await slot.clock.tick(1 * MINUTE)
    expect(await tracker.queue()).to.deep.equal([])
    await tracker.destroy()
    // A later, ordinary page load of the origin recovers what the journal holds: nothing.
    delete (document as unknown as Record<string, unknown>).prerendering
    setVisibility('visible')
    const later = slot.create({ endpoint: sink.url, storeName: store })
    await later.flush()
    await realDelay(100)
    expect(await later.queue()).to.deep.equal([])
    expect(await sink.received(), 'nothing delivered').to.deep.equal([])
  })

  it('sends earlier pages’ leftovers only once activated', async () => {
    const sink = collector()
    const store = `test-prerender-${Math.random().toString(36).slice(2)}`
    // An earlier page left a completion in the journal (the proxy was down).
    delete (document as unknown as Record<string, unknown>).prerendering
    await sink.rules([{ status: 503 }])
    const earlier = slot.create({ endpoint: sink.url, storeName: store })
    const { eventIds } = (await earlier.startActivity(lesson, { time: false }).complete({ xpEarned: 5 })) as { eventIds: string[] }
    await slot.clock.tick(1 * SECOND)
    await earlier.destroy()
    await sink.clearRules()
    const before = (await sink.received()).length

    prerender()
    const tracker = slot.create({ endpoint: sink.url, storeName: store })
    await slot.clock.tick(1 * MINUTE)
    window.dispatchEvent(new Event('online'))
    await slot.clock.tick(1 * SECOND)
    await realDelay(100)
    expect((await sink.received()).length, 'no request while prerendered').to.equal(before)
    activate()
    await waitFor(async () => (await sink.deliveredCounts()).has(eventIds[0]!), 'the leftover delivered')
    expect(tracker.snapshot().queue.pending).to.equal(0)
  })

  it('records a completion made before activation once the student opens the page', async () => {
    const sink = collector()
    const tracker = slot.create({ endpoint: sink.url })
    const activity = tracker.startActivity(lesson)
    let result: unknown
    const completing = activity.complete({ xpEarned: 10 }).then((r) => (result = r))
    await slot.clock.tick(30 * SECOND)
    expect(result, 'waiting for the student').to.equal(undefined)
    expect(activity.status).to.equal('completed')
    expect(await tracker.queue()).to.deep.equal([])
    const activatedAt = slot.clock.now()
    activate()
    await completing
    const events = await waitFor(async () => {
      const data = (await sink.received()).flatMap((r) => r.envelope.data)
      return data.length > 0 && data
    }, 'the completion delivered')
    expect(events.map((e) => e.type)).to.deep.equal(['ActivityEvent'])
    expect(Date.parse(events[0]!.eventTime), 'dated at activation').to.equal(activatedAt)
  })

  it('a run completed before activation is not taken up again by the next start of the activity', async () => {
    const sink = collector()
    const tracker = slot.create({ endpoint: sink.url })
    const first = tracker.startActivity(lesson)
    const completing = first.complete({ xpEarned: 10 })
    activate()
    await completing
    expect(first.status).to.equal('completed')
    await slot.clock.tick(30 * SECOND)
    expect(totalsInSeconds(first.totals), 'no clock started for a completed activity').to.deep.equal({})
    // The next attempt is a run of its own: its completion is not a duplicate of the first.
    const second = tracker.startActivity(lesson)
    expect(second.runId).to.not.equal(first.runId)
  })
})
