// Input, focus and media inside same-origin iframes count as on the page: frames there at the
// start, added later, navigated, nested, removed. Real iframes, fake clock, every engine.
import { expect } from 'chai'
import { watchListeners } from '../support/listenerLedger.js'
import { input } from '../support/page.js'
import { addFrame, loadOf, navigate, pointIn, typeIn, windowOf } from '../support/sameOriginFrames.js'
import { MINUTE, SECOND, lesson, useTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const seconds = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / 1000]))

/** A `<video>` in `doc` that claims to be playing (headless engines have no codecs to play one). */
function fakePlayingVideo(doc: Document) {
  const video = doc.createElement('video')
  let paused = true
  Object.defineProperty(video, 'paused', { get: () => paused })
  Object.defineProperty(video, 'readyState', { get: () => 4 })
  doc.body.append(video)
  return {
    play() {
      paused = false
      video.dispatchEvent(new Event('playing'))
    },
  }
}

describe('same-origin iframes', () => {
  const h = useTracker()
  const frames: HTMLIFrameElement[] = []
  const keep = (frame: HTMLIFrameElement) => (frames.push(frame), frame)
  afterEach(() => frames.splice(0).forEach((f) => f.remove()))

  it('typing for three minutes in a frame is three minutes active', async () => {
    const frame = keep(await addFrame('<textarea id=answer></textarea>'))
    const activity = h.tracker.startActivity(lesson)
    ;(windowOf(frame).document.getElementById('answer') as HTMLTextAreaElement).focus()
    for (let s = 0; s < 180; s += 10) {
      await h.clock.tick(10 * SECOND)
      typeIn(frame)
    }
    expect(seconds(activity.totals)).to.deep.equal({ active: 180 })
    expect(activity.state).to.include({ bucket: 'active', reason: 'input' })
  })

  it('a frame added after the activity started, and one nested inside it', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(30 * SECOND)
    const outer = keep(await addFrame('<p>outer</p>'))
    const inner = await addFrame('<p>inner</p>', windowOf(outer).document.body)
    await h.clock.tick(20 * SECOND)
    pointIn(outer)
    await h.clock.tick(50 * SECOND)
    pointIn(inner, 'wheel')
    await h.clock.tick(50 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 150 })
  })

  it('a frame that navigates: input in each new document counts', async () => {
    const frame = document.createElement('iframe')
    frame.src = '/test/fixtures/exercise.html'
    const loaded = loadOf(frame)
    document.body.append(keep(frame))
    await loaded
    const activity = h.tracker.startActivity(lesson)
    for (const go of [() => windowOf(frame).document.getElementById('next')!.click(), () => navigate(frame, '<p>srcdoc</p>')]) {
      await h.clock.tick(50 * SECOND)
      const next = loadOf(frame)
      await go()
      await next
      typeIn(frame)
    }
    await h.clock.tick(50 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 150 })
  })

  it('focus leaving a frame for another window blurs the page; back into the frame focuses it', async () => {
    const frame = keep(await addFrame('<textarea id=answer></textarea>'))
    const activity = h.tracker.startActivity(lesson)
    const win = windowOf(frame)
    await h.clock.tick(10 * SECOND)
    // Focus moves from the frame back to the page itself: the frame's window blurs, the page
    // still has focus.
    win.dispatchEvent(new win.FocusEvent('blur'))
    expect(activity.state).to.include({ bucket: 'active', reason: 'input' })
    await h.clock.tick(10 * SECOND)
    // Focus moves from the frame to another application: only the frame's window hears it.
    document.hasFocus = () => false
    win.dispatchEvent(new win.FocusEvent('blur'))
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'blurred' })
    await h.clock.tick(30 * SECOND)
    document.hasFocus = () => true
    win.dispatchEvent(new win.FocusEvent('focus'))
    await h.clock.tick(10 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 30, inactive: 30 })
  })

  it('a frame removed while focused: its listeners go with it, the page goes on', async () => {
    const frame = keep(await addFrame('<textarea id=answer></textarea>'))
    const ledger = watchListeners(windowOf(frame))
    const activity = h.tracker.startActivity(lesson)
    const win = windowOf(frame)
    ;(win.document.getElementById('answer') as HTMLTextAreaElement).focus()
    await h.clock.tick(30 * SECOND)
    typeIn(frame)
    expect(ledger.count(), 'listeners in the frame').to.be.greaterThan(0)
    frame.remove()
    expect(ledger.count(), 'every listener in the removed frame is gone').to.equal(0)
    ledger.restore()
    // The page goes on: input on it still counts, and nothing throws.
    await h.clock.tick(50 * SECOND)
    input()
    await h.clock.tick(50 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 130 })
  })

  it('media playing in a frame counts as media; the frame going away stops it', async () => {
    const frame = keep(await addFrame('<p>video lesson</p>'))
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    fakePlayingVideo(windowOf(frame).document).play()
    // The tab credits media once it holds the student's media lock (one tab at a time).
    await waitFor(() => activity.state.reason === 'media', 'this tab to credit the frame\'s media')
    expect(activity.state).to.include({ bucket: 'active', reason: 'media' })
    await h.clock.tick(5 * MINUTE)
    expect(activity.state).to.include({ bucket: 'active', reason: 'media' })
    frame.remove()
    // A removed frame's media stop without any event: the idle timeout runs from here.
    await h.clock.tick(90 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 370, inactive: 30 })
  })

  it('ending the activity removes every listener it added inside frames', async () => {
    const outer = keep(await addFrame('<p>outer</p>'))
    const inner = await addFrame('<p>inner</p>', windowOf(outer).document.body)
    const ledgers = [watchListeners(windowOf(outer)), watchListeners(windowOf(inner))]
    const activity = h.tracker.startActivity(lesson)
    try {
      expect(ledgers.map((l) => l.count() > 0)).to.deep.equal([true, true])
      await activity.end()
      expect(ledgers.map((l) => l.count())).to.deep.equal([0, 0])
    } finally {
      ledgers.forEach((l) => l.restore())
    }
  })
})
