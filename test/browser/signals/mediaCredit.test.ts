// Issue 12.5 and 12.6: media cannot earn hours of active time on its own, and only one visible
// tab of the student credits media at a time. Real DOM media events, fake clock, every engine.
import { expect } from 'chai'
import { createTracker } from '../../../src/index.js'
import { collector } from '../support/collector.js'
import { settle } from '../support/fakeClock.js'
import { input, randomId } from '../support/page.js'
import { MINUTE, actor, lesson, useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const totalsInMinutes = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / MINUTE]))

/** A `<video>` in `doc` that reports itself playing (headless engines have no codecs to play one). */
function playingVideo(doc: Document, options: { loop?: boolean; durationMs?: number } = {}) {
  const video = doc.createElement('video')
  video.loop = !!options.loop
  let paused = false
  Object.defineProperty(video, 'paused', { get: () => paused })
  Object.defineProperty(video, 'readyState', { get: () => 4 })
  Object.defineProperty(video, 'duration', { get: () => (options.durationMs === undefined ? Infinity : options.durationMs / 1000) })
  doc.body.append(video)
  video.dispatchEvent(new Event('playing'))
  return {
    stop() {
      paused = true
      video.dispatchEvent(new Event('pause'))
      video.remove()
    },
  }
}

/**
 * A student of this test alone (the media lock is per student and origin, and other test files
 * run at once), with few slices and checkpoints so that hours of fake time stay light.
 */
const ownStudent = () => ({ actor: { ...actor, id: `https://sis.example/users/${randomId()}` }, sliceMs: 10 * MINUTE, checkpointMs: MINUTE })

describe('12.5 media without input', () => {
  const slot = useTrackerSlot()

  it('a completion-only activity watches no media: it never takes or queues for the student’s media lock', async () => {
    const options = ownStudent()
    const activity = slot.create(options).startActivity(lesson, { time: false })
    const video = playingVideo(document)
    try {
      await settle(20)
      const { held = [], pending = [] } = await navigator.locks.query()
      const media = [...held, ...pending].filter((l) => l.name === `timeback-media:${options.actor.id}`)
      expect(media, 'media lock requests').to.deep.equal([])
      expect(activity.state.reason).to.not.equal('media')
    } finally {
      video.stop()
    }
  })

  it('a looping video with no input for an hour: 20 minutes active, then media-unattended until input', async () => {
    const activity = slot.create(ownStudent()).startActivity(lesson)
    const video = playingVideo(document, { loop: true, durationMs: 3 * MINUTE })
    try {
      await waitFor(() => activity.state.reason === 'media', 'this tab to credit its media')
      await slot.clock.tick(60 * MINUTE)
      expect(activity.state).to.include({ bucket: 'inactive', reason: 'media-unattended' })
      expect(totalsInMinutes(activity.totals)).to.deep.equal({ active: 20, inactive: 40 })
      input()
      await slot.clock.tick(MINUTE)
      expect(activity.state).to.include({ bucket: 'active', reason: 'media' })
      expect(totalsInMinutes(activity.totals)).to.deep.equal({ active: 21, inactive: 40 })
    } finally {
      video.stop()
    }
  })

  it('media longer than the limit counts its own duration, once', async () => {
    const activity = slot.create({ ...ownStudent(), mediaIdleTimeoutMs: 5 * MINUTE }).startActivity(lesson)
    const video = playingVideo(document, { loop: true, durationMs: 12 * MINUTE })
    try {
      await waitFor(() => activity.state.reason === 'media', 'this tab to credit its media')
      await slot.clock.tick(30 * MINUTE)
      expect(totalsInMinutes(activity.totals)).to.deep.equal({ active: 12, inactive: 18 })
    } finally {
      video.stop()
    }
  })

  it('an autoplay chain of short videos does not restart the limit', async () => {
    const activity = slot.create({ mediaIdleTimeoutMs: 10 * MINUTE, ...ownStudent() }).startActivity(lesson)
    for (let i = 0; i < 6; i++) {
      const video = playingVideo(document, { durationMs: 5 * MINUTE })
      await waitFor(() => activity.state.reason.startsWith('media'), 'this tab to credit its media')
      await slot.clock.tick(5 * MINUTE)
      video.stop()
    }
    // 10 minutes of media, then only the idle timeout's minute after each stop (the next video
    // starts before it runs out): 30 minutes of playing earn at most 10 + 5 × 1.
    expect(totalsInMinutes(activity.totals)).to.deep.equal({ active: 10, inactive: 20 })
  })

  it('mediaIdleTimeoutMs is validated', () => {
    expect(() => slot.create({ mediaIdleTimeoutMs: -1 })).to.throw(/mediaIdleTimeoutMs: must be a whole number of ms ≥ 1000/)
  })
})

describe('12.6 one visible tab of the student credits media at a time', () => {
  const slot = useTrackerSlot()

  // Another tab is another tracker of the same student on the same origin: Web Locks are shared
  // by every page of the origin alike. (A same-origin iframe would not do: its media is the
  // embedding page's own, see watchFrames.)
  it('the tab waiting for media takes over when the crediting one ends its activity', async () => {
    const student = ownStudent()
    const mine = slot.create(student).startActivity(lesson)
    const video = playingVideo(document)
    const other = createTracker({ endpoint: collector().url, app: { name: 'Math App' }, ...student, storeName: `other-${randomId()}` })
    try {
      await waitFor(() => mine.state.reason === 'media', 'this tab to credit its media')
      const theirs = other.startActivity(lesson)
      await settle(20)
      expect(theirs.state.reason, 'the other tab waits for the media lock').to.equal('input')
      await mine.end()
      await waitFor(() => theirs.state.reason === 'media', 'the other tab to take over media')
    } finally {
      video.stop()
      await other.destroy()
    }
  })

  for (const withLocks of [true, false]) {
    it(withLocks ? 'two trackers of the student in one page: one credits media' : 'without Web Locks each tracker credits its own media', async () => {
      const locks = Object.getOwnPropertyDescriptor(Navigator.prototype, 'locks')
      if (!withLocks) Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined })
      const student = ownStudent()
      const first = slot.create(student).startActivity(lesson)
      const other = createTracker({ endpoint: collector().url, app: { name: 'Math App' }, ...student, storeName: `second-${randomId()}` })
      const video = playingVideo(document)
      try {
        const second = other.startActivity(lesson)
        await waitFor(() => first.state.reason === 'media', 'the first tracker to credit its media')
        await settle(20)
        await slot.clock.tick(5 * MINUTE)
        const reasons = [first.state.reason, second.state.reason]
        expect(reasons).to.deep.equal(withLocks ? ['media', 'idle'] : ['media', 'media'])
      } finally {
        video.stop()
        await other.destroy()
        if (locks) Object.defineProperty(Navigator.prototype, 'locks', locks)
      }
    })
  }
})
