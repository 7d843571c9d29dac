import { listen, stopAll } from './listen.js'

/**
 * Calls `attach(win)` for `win` and for every same-origin iframe inside it, nested ones
 * included: those there now, those added later and each new document a frame navigates to.
 * `attach` returns the function that detaches again; it runs when the frame's document goes
 * (removed or navigated away: `pagehide`) and when the returned function is called.
 *
 * Event-driven, no polling: an iframe's `load` event is caught on the capture phase of its
 * parent document. Cross-origin frames (`contentDocument` is null) are left alone; they report
 * input by `postMessage` (see `timeback-tracker/frame`). Input between a frame's navigation and
 * its `load` is not seen; the idle timeout covers that moment. A frame's first, empty document
 * can give way to the next without `pagehide`, keeping its window: `attach` may then run twice
 * for one window, and must tolerate it (a listener added twice with one function is one).
 */
export function watchFrames(attach: (win: Window) => () => void, win: Window = window): () => void {
  const frames = new Set<() => void>()
  const enter = (frame: HTMLIFrameElement) => {
    const inner = frame.contentDocument?.defaultView
    if (!inner) return
    const stop = stopAll([
      watchFrames(attach, inner),
      // Not for the back/forward cache: the frame comes back with the page, listeners and all.
      listen<PageTransitionEvent>(inner, 'pagehide', (e) => e.persisted || (stop(), frames.delete(stop))),
    ])
    frames.add(stop)
  }
  const doc = win.document
  doc.querySelectorAll('iframe').forEach(enter)
  return stopAll([
    attach(win),
    // Also images, scripts…: `enter` passes over anything without a same-origin document.
    listen(doc, 'load', (e) => enter(e.target as HTMLIFrameElement), { capture: true }),
    () => frames.forEach((stop) => stop()),
  ])
}
