import { FRAME_INPUT } from '../frame/frameMessage.js'
import { listen, stopAll } from './listen.js'
import { pageHasFocus } from './watchPage.js'
import { watchFrames } from './watchFrames.js'

/**
 * Input that proves the student is at the page. `pointermove` fires at display rate, so the
 * handler does nothing but hand over a timestamp; the caller decides (cheaply) whether it matters.
 */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'] as const

/**
 * Calls `onInput` for every input event on the page and in its same-origin iframes, and for
 * every input report (`timeback-tracker/frame`) from a cross-origin frame on `frameOrigins`.
 * Listeners are passive (never delay scrolling) and on the capture phase of each window, so an
 * app calling `stopPropagation()` cannot hide input. Returns a function that removes them.
 */
export function watchInput(onInput: () => void, frameOrigins: readonly string[] = []): () => void {
  const options = { capture: true, passive: true }
  // `scroll` counts only while the page has focus: a page can scroll itself (a chat, a
  // teleprompter) while the student types in another window.
  const scrolled = () => pageHasFocus() && onInput()
  const report = (e: MessageEvent) => e.data === FRAME_INPUT && frameOrigins.includes(e.origin) && onInput()
  return watchFrames((win) =>
    stopAll([
      ...INPUT_EVENTS.map((type) => listen(win, type, type === 'scroll' ? scrolled : onInput, options)),
      listen(win, 'message', report),
    ]),
  )
}
