/**
 * For a page inside a cross-origin iframe, to tell the page embedding it (which runs the tracker)
 * that the student is working here. A few hundred bytes, no tracker.
 *
 * @module timeback-tracker/frame
 */
import { FRAME_INPUT } from './frameMessage.js'

/** Input that proves the student is at the frame. Not `scroll`: a page can scroll itself. */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart']

/**
 * Reports the student's input in this frame to the parent page at most once per `intervalMs`
 * (default 1 000; the parent's idle timeout may then start up to that much early), by
 * `postMessage` to `parentOrigin` only. The parent's tracker counts it as input when its
 * `frameOrigins` option names this frame's origin. Listeners are passive and on the capture
 * phase. Returns a function that stops reporting. Does nothing in a top-level page.
 *
 * @example
 * import { forwardInput } from 'timeback-tracker/frame'
 * forwardInput('https://app.example') // the origin of the page that embeds this one
 */
export function forwardInput(parentOrigin: string, intervalMs = 1000): () => void {
  // Relative to the page, a URL never fails to parse; only an exact origin gives itself back.
  if (parentOrigin !== '*' && new URL(parentOrigin, location.href).origin !== parentOrigin) {
    throw new TypeError('forwardInput: parentOrigin: must be an origin like https://app.example, or "*"')
  }
  let last = -Infinity
  const report = (e: Event) => {
    // Event time is monotonic: a wall-clock correction cannot silence the reports.
    if (e.timeStamp - last < intervalMs) return
    last = e.timeStamp
    parent.postMessage(FRAME_INPUT, parentOrigin)
  }
  const options = { capture: true, passive: true }
  if (parent === window) return () => {}
  INPUT_EVENTS.forEach((type) => addEventListener(type, report, options))
  return () => INPUT_EVENTS.forEach((type) => removeEventListener(type, report, options))
}

export { FRAME_INPUT }
