import { listen } from './listen.js'

type Media = HTMLMediaElement

/** True for a `<video>`/`<audio>` that is playing now. `data-timeback-ignore` opts one out. */
const isPlaying = (el: Media) => !el.paused && !el.ended && el.readyState > 2 && !el.hasAttribute('data-timeback-ignore')

const STOP_EVENTS = ['pause', 'ended', 'waiting', 'emptied'] as const

/**
 * Tells `onChange(playing)` when the page goes from no media playing to some, and back.
 * Media events do not bubble, so they are caught on the capture phase of `document`, which also
 * covers elements added later. A playing element also gets its own stop listeners, because one
 * removed from the document pauses without the event passing through `document`.
 */
export function watchMedia(onChange: (playing: boolean) => void): { playing: () => boolean; stop: () => void } {
  const playing = new Set<Media>()
  const own = new Map<Media, () => void>()

  const stopped = (el: Media) => {
    if (!playing.delete(el)) return
    own.get(el)?.()
    own.delete(el)
    if (playing.size === 0) onChange(false)
  }
  const started = (el: Media) => {
    if (playing.has(el) || !isPlaying(el)) return
    playing.add(el)
    const stops = STOP_EVENTS.map((type) => listen(el, type, () => stopped(el)))
    own.set(el, () => stops.forEach((s) => s()))
    if (playing.size === 1) onChange(true)
  }
  const isMedia = (target: EventTarget | null): target is Media => target instanceof HTMLMediaElement

  document.querySelectorAll<Media>('video, audio').forEach(started)
  const stops = [
    listen(document, 'playing', (e) => isMedia(e.target) && started(e.target), { capture: true }),
    ...STOP_EVENTS.map((type) => listen(document, type, (e) => isMedia(e.target) && stopped(e.target), { capture: true })),
  ]
  return {
    playing: () => playing.size > 0,
    stop() {
      stops.forEach((s) => s())
      own.forEach((s) => s())
      own.clear()
      playing.clear()
    },
  }
}
