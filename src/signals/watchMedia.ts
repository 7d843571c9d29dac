import { listen, stopAll } from './listen.js'
import { watchFrames } from './watchFrames.js'

type Media = HTMLMediaElement

/**
 * True for a `<video>`/`<audio>` that is playing now. `data-timeback-ignore` opts one out.
 * False for anything else an app may fire these events at (no `readyState` above 2).
 */
const isPlaying = (el: Media) => !el.paused && !el.ended && el.readyState > 2 && !el.hasAttribute('data-timeback-ignore')

const STOP_EVENTS = ['pause', 'ended', 'waiting', 'emptied'] as const

/**
 * Tells `onChange(playing)` when the page and its same-origin iframes go from no media playing
 * to some, and back. `playing` does not bubble, so it is caught on the capture phase of each
 * document, which also covers elements added later. A playing element then gets its own stop
 * listeners, which also hear it pause when it is removed from its document; a frame that goes
 * away takes its media with it without any event, so detaching from a frame stops them.
 */
export function watchMedia(onChange: (playing: boolean) => void): { playing: () => boolean; stop: () => void } {
  const playing = new Map<Media, () => void>()

  const stopped = (el: Media) => {
    if (!playing.has(el)) return
    playing.get(el)!()
    playing.delete(el)
    if (!playing.size) onChange(false)
  }
  const started = (el: Media) => {
    if (playing.has(el) || !isPlaying(el)) return
    playing.set(el, stopAll(STOP_EVENTS.map((type) => listen(el, type, () => stopped(el)))))
    if (playing.size === 1) onChange(true)
  }

  const stop = watchFrames((win) => {
    const doc = win.document
    doc.querySelectorAll<Media>('video, audio').forEach(started)
    return stopAll([
      // `started` ignores anything that is not playing media (an app's own "playing" event).
      listen(doc, 'playing', (e) => started(e.target as Media), { capture: true }),
      () => playing.forEach((_, el) => el.ownerDocument === doc && stopped(el)),
    ])
  })
  return {
    playing: () => playing.size > 0,
    stop() {
      playing.forEach((stopOwn) => stopOwn())
      playing.clear() // first, so that detaching reports no change
      stop()
    },
  }
}
