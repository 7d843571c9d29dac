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
 * its `load` is not seen; the idle timeout covers that moment.
 */
export function watchFrames(attach: (win: Window) => () => void, win: Window = window): () => void {
  const frames = new Map<Element, () => void>()
  const forget = (frame: Element) => {
    frames.get(frame)?.()
    frames.delete(frame)
  }
  const enter = (frame: Element) => {
    forget(frame)
    const inner = (frame as HTMLIFrameElement).contentDocument?.defaultView
    if (!inner) return
    const stop = stopAll([
      watchFrames(attach, inner),
      // Not for the back/forward cache: the frame comes back with the page, listeners and all.
      listen<PageTransitionEvent>(inner, 'pagehide', (e) => e.persisted || forget(frame)),
    ])
    frames.set(frame, stop)
  }
  const doc = win.document
  const stop = stopAll([
    attach(win),
    // Elements from frames belong to other realms: compare tag names, not `instanceof`.
    listen(doc, 'load', (e) => (e.target as Element).tagName === 'IFRAME' && enter(e.target as Element), { capture: true }),
    () => frames.forEach((_, frame) => forget(frame)),
  ])
  doc.querySelectorAll('iframe').forEach(enter)
  return stop
}
