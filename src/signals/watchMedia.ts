import type { PageLocks } from '../journal/webLocks.js'
import { listen, stopAll } from './listen.js'
import { watchFrames } from './watchFrames.js'
import { pageIsVisible } from './watchPage.js'

type Media = HTMLMediaElement

/**
 * True for a `<video>`/`<audio>` that is playing now. `data-timeback-ignore` opts one out.
 * False for anything else an app may fire these events at (no `readyState` above 2).
 */
const isPlaying = (el: Media) => !el.paused && !el.ended && el.readyState > 2 && !el.hasAttribute('data-timeback-ignore')

const STOP_EVENTS = ['pause', 'ended', 'waiting', 'emptied'] as const

/**
 * Tells `onChange(durationMs)` when this tab starts crediting the media playing in the page and
 * its same-origin iframes (with the longest finite duration among it, else 0), and
 * `onChange(undefined)` when it stops. `playing` does not bubble, so it is caught on the capture
 * phase of each document, which also covers elements added later. A playing element then gets
 * its own stop listeners, which also hear it pause when it is removed from its document; a frame
 * that goes away takes its media with it without any event, so detaching from a frame stops them.
 *
 * Only one visible tab per `lockName` (the origin's student) credits media at a time: a tab
 * credits it while it holds that Web Lock (through the tracker's `locks`), and queues for it
 * while its media plays on a visible page. Without Web Locks (or if they are refused) each tab
 * credits its own media.
 */
export function watchMedia(locks: PageLocks, lockName: string, onChange: (durationMs: number | undefined) => void): { credited: () => number | undefined; stop: () => void } {
  const playing = new Map<Media, () => void>()
  let credited: number | undefined
  let lock: object | undefined // this tab's request for the lock, while media plays on a visible page
  let release = () => {}

  const credit = (on?: boolean) => {
    const next = on ? Math.max(0, ...[...playing.keys()].map((el) => (isFinite(el.duration) ? el.duration * 1000 : 0))) : undefined
    if (next !== credited) onChange((credited = next))
  }
  const update = () => {
    if (!playing.size || !pageIsVisible()) {
      lock = undefined
      release()
      return credit()
    }
    if (lock) return
    const asked = (lock = {})
    // A request is never withdrawn: granted after the media stopped, it lets go at once.
    void locks.exclusive(lockName, async () => {
      if (lock === asked) await new Promise<void>((resolve) => ((release = resolve), credit(true)))
    })
  }

  const stopped = (el: Media) => {
    if (!playing.has(el)) return
    playing.get(el)!()
    playing.delete(el)
    update()
  }
  const started = (el: Media) => {
    if (playing.has(el) || !isPlaying(el)) return
    playing.set(el, stopAll(STOP_EVENTS.map((type) => listen(el, type, () => stopped(el)))))
    update()
  }

  const stop = stopAll([
    watchFrames((win) => {
      const doc = win.document
      doc.querySelectorAll<Media>('video, audio').forEach(started)
      return stopAll([
        // `started` ignores anything that is not playing media (an app's own "playing" event).
        listen(doc, 'playing', (e) => started(e.target as Media), { capture: true }),
        () => playing.forEach((_, el) => el.ownerDocument === doc && stopped(el)),
      ])
    }),
    listen(document, 'visibilitychange', update),
  ])
  return {
    credited: () => credited,
    stop() {
      playing.forEach((stopOwn) => stopOwn())
      playing.clear() // first, so that detaching reports no change
      stop()
      lock = undefined
      release()
    },
  }
}
