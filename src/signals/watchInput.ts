import { listen } from './listen.js'

/**
 * Input that proves the student is at the page. `pointermove` fires at display rate, so the
 * handler does nothing but hand over a timestamp; the caller decides (cheaply) whether it matters.
 */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'] as const

/**
 * Calls `onInput` for every input event. Listeners are passive (never delay scrolling) and on
 * the capture phase of `window`, so an app calling `stopPropagation()` cannot hide input.
 * Returns a function that removes them.
 */
export function watchInput(onInput: () => void): () => void {
  const options = { capture: true, passive: true }
  const stops = INPUT_EVENTS.map((type) => listen(window, type, onInput, options))
  return () => stops.forEach((stop) => stop())
}
