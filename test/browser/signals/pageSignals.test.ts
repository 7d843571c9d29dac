// The DOM adapters, end to end through a tracker on a fake clock, in every engine.
import { expect } from 'chai'
import { input, pageTransition, setFocus, setVisibility } from '../support/page.js'
import { MINUTE, SECOND, deliveriesDone, lesson, reportedSeconds, useTracker } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const totalsInSeconds = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / 1000]))

describe('page signals → classification', () => {
  const h = useTracker()

  it('counts every kind of input listened for', async () => {
    const activity = h.tracker.startActivity(lesson)
    const events = [
      () => window.dispatchEvent(new PointerEvent('pointerdown')),
      () => document.body.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true })),
      () => window.dispatchEvent(new WheelEvent('wheel')),
      () => document.dispatchEvent(new Event('scroll')),
      () => window.dispatchEvent(new Event('touchstart')),
      () => document.body.dispatchEvent(new PointerEvent('pointermove', { bubbles: true })),
    ]
    for (const fire of events) {
      await h.clock.tick(50 * SECOND)
      fire()
    }
    // Each input lands 50 s after the last one, inside the 60 s idle timeout: never idle.
    await h.clock.tick(10 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 310 })
  })

  it('input that stops propagation is still seen (capture phase)', async () => {
    const activity = h.tracker.startActivity(lesson)
    const button = document.createElement('button')
    document.body.append(button)
    button.addEventListener('pointerdown', (e) => e.stopPropagation())
    try {
      await h.clock.tick(55 * SECOND)
      button.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))
      await h.clock.tick(30 * SECOND)
      expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 85 })
    } finally {
      button.remove()
    }
  })

  it('tab hidden then back: inactive, slice closed and beaconed on hide', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(20 * SECOND)
    setVisibility('hidden')
    const beacons = await waitFor(async () => {
      const found = (await h.sink.received()).filter((r) => r.contentType.startsWith('text/plain'))
      return found.length > 0 && found
    }, 'beacon')
    expect(beacons[0]!.envelope.data[0]!.generated.items).to.deep.include({ type: 'active', value: 20, startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:00:20.000Z' })
    await deliveriesDone(h) // the slice closed by hiding is sent at once; its request timer ends with it
    expect(h.clock.pending(), 'no timer while hidden').to.equal(0)
    await h.clock.tick(3 * MINUTE)
    setVisibility('visible')
    await h.clock.tick(10 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 30, inactive: 180 })
  })

  it('hidden past the abandoned cap: not counted', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    setVisibility('hidden')
    await h.clock.tick(25 * MINUTE)
    setVisibility('visible')
    await h.clock.tick(10 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 20, inactive: 600, 'not-counted': 900 })
  })

  it('window blurred to another window: inactive until focus returns', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    setFocus(false)
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'blurred' })
    await h.clock.tick(40 * SECOND)
    setFocus(true)
    await h.clock.tick(5 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 15, inactive: 40 })
  })

  it('unfocused: pointer and wheel input count until the idle timeout; the page scrolling itself does not', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    setFocus(false) // the student works in another window…
    await h.clock.tick(20 * SECOND)
    document.dispatchEvent(new Event('scroll')) // …while a chat on this page scrolls itself
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'blurred' })
    await h.clock.tick(20 * SECOND)
    input() // …then hovers over this page (a second monitor, a tool in an unfocused frame)
    expect(activity.state).to.include({ bucket: 'active', reason: 'input' })
    await h.clock.tick(40 * SECOND)
    window.dispatchEvent(new WheelEvent('wheel'))
    await h.clock.tick(90 * SECOND)
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'blurred' })
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 10 + 100, inactive: 40 + 30 })
  })

  it('focus moved into an iframe of the page stays active', async () => {
    const frame = document.createElement('iframe')
    frame.srcdoc = '<input id=x>'
    document.body.append(frame)
    await new Promise((r) => frame.addEventListener('load', r, { once: true }))
    const activity = h.tracker.startActivity(lesson)
    try {
      await h.clock.tick(10 * SECOND)
      // Real focus move: Chromium and WebKit blur the window with the frame already active;
      // Firefox blurs first and makes the frame active a moment later.
      ;(frame.contentDocument!.getElementById('x') as HTMLInputElement).focus()
      frame.focus()
      await h.clock.tick(1)
      expect(activity.state).to.include({ bucket: 'active', reason: 'input' })
      await h.clock.tick(30 * SECOND - 1)
      expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 40 })
    } finally {
      frame.remove()
    }
  })

  it('a video playing with no input for 5 minutes is active; removal from the page stops it', async () => {
    const video = document.createElement('video')
    let paused = true
    Object.defineProperty(video, 'paused', { get: () => paused })
    Object.defineProperty(video, 'readyState', { get: () => 4 })
    document.body.append(video)
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(5 * SECOND)
    paused = false
    video.dispatchEvent(new Event('playing'))
    await waitFor(() => activity.state.reason === 'media', 'the media lock') // a Web Lock: async
    await h.clock.tick(5 * MINUTE)
    expect(activity.state).to.include({ bucket: 'active', reason: 'media' })
    // Removed while playing: it pauses without the event passing through the document.
    video.remove()
    paused = true
    video.dispatchEvent(new Event('pause'))
    await h.clock.tick(90 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 365, inactive: 30 })
  })

  it('media ignored with data-timeback-ignore', async () => {
    const audio = document.createElement('audio')
    audio.setAttribute('data-timeback-ignore', '')
    Object.defineProperty(audio, 'paused', { get: () => false })
    Object.defineProperty(audio, 'readyState', { get: () => 4 })
    document.body.append(audio)
    try {
      const activity = h.tracker.startActivity(lesson)
      audio.dispatchEvent(new Event('playing'))
      await h.clock.tick(2 * MINUTE)
      expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 60, inactive: 60 })
    } finally {
      audio.remove()
    }
  })

  it('frozen then resumed (visible): unknown', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    document.dispatchEvent(new Event('freeze'))
    // A frozen page runs nothing: the slice is stored and beaconed, and fetch waits for resume.
    await h.clock.quiet()
    expect(h.clock.pending(), 'no timer while frozen').to.equal(0)
    h.clock.jump(2 * MINUTE)
    document.dispatchEvent(new Event('resume'))
    input()
    await h.clock.tick(10 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 20, unknown: 120 })
  })

  it('a 2-hour clock jump with no timers firing: unknown from the missed wake-up', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(2 * SECOND)
    input()
    h.clock.jump(2 * 60 * MINUTE)
    input()
    await h.clock.tick(10 * SECOND)
    const totals = totalsInSeconds(activity.totals)
    expect(totals).to.deep.equal({ active: 15, unknown: 7200 - 3 })
  })

  it('bfcache: pagehide(persisted) → pageshow(persisted) is hidden time', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(20 * SECOND)
    setVisibility('hidden')
    pageTransition('pagehide', true)
    document.dispatchEvent(new Event('freeze'))
    h.clock.jump(5 * MINUTE)
    document.dispatchEvent(new Event('resume'))
    setVisibility('visible')
    pageTransition('pageshow', true)
    await h.clock.tick(30 * SECOND)
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 50, inactive: 300 })
  })

  it('app pause/resume and marks', async () => {
    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(10 * SECOND)
    activity.pause()
    await deliveriesDone(h) // pausing closed a slice, sent at once
    expect(h.clock.pending(), 'no timer while paused').to.equal(0)
    await h.clock.tick(5 * MINUTE)
    activity.resume()
    activity.mark('waste', 'eating')
    await h.clock.tick(20 * SECOND)
    activity.unmark()
    activity.input()
    await h.clock.tick(10 * SECOND)
    await activity.end()
    expect(totalsInSeconds(activity.totals)).to.deep.equal({ active: 20, waste: 20, 'not-counted': 300 })
    await waitFor(async () => (await reportedSeconds(h.sink))['waste:eating'] === 20 && true, 'waste reported')
    expect(await reportedSeconds(h.sink)).to.deep.equal({ active: 20, 'waste:eating': 20 })
  })

  it('bad mark arguments throw naming the field', () => {
    const activity = h.tracker.startActivity(lesson)
    expect(() => activity.mark('break' as never, '')).to.throw(TypeError).with.property('message').that.contains('activity.mark: type: must be one of "waste", "anti-pattern"').and.contains('subType: must not be empty')
  })
})

describe('timer wake-ups (no polling)', () => {
  const h = useTracker()

  it('visible and idle: at most 2 timers per minute; hidden: none', async () => {
    h.tracker.startActivity(lesson)
    await h.clock.tick(2 * MINUTE) // settle into idle
    const before = h.clock.fired
    await h.clock.tick(10 * MINUTE)
    const perMinuteIdle = (h.clock.fired - before) / 10
    expect(perMinuteIdle).to.be.at.most(2)
    setVisibility('hidden')
    await deliveriesDone(h)
    const hiddenBefore = { fired: h.clock.fired, scheduled: h.clock.scheduled }
    await h.clock.tick(10 * MINUTE)
    expect(h.clock.fired - hiddenBefore.fired).to.equal(0)
    expect(h.clock.scheduled - hiddenBefore.scheduled).to.equal(0)
  })
})
