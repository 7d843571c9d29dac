import type { Signal } from '../core/timeBuckets.js'
import { listen, stopAll } from './listen.js'
import { watchFrames } from './watchFrames.js'

/** Whether the window, or an iframe of this page, has focus. */
export const pageHasFocus = () => document.hasFocus()
export const pageIsVisible = () => document.visibilityState === 'visible'

/** True when focus just moved into one of this page's own iframes (not away from the page). */
const focusIsInOwnFrame = () => document.activeElement?.tagName === 'IFRAME'

/**
 * Turns page visibility, window focus (of the page and its same-origin iframes), freeze/resume
 * and bfcache pagehide/pageshow into classifier signals. Listens only; never polls. Returns a
 * function that removes the listeners.
 */
export function watchPage(emit: (signal: Signal) => void): () => void {
  let recheck: ReturnType<typeof setTimeout> | undefined
  const relay = (target: EventTarget, type: 'focus' | 'freeze' | 'resume') =>
    listen(target, type, () => emit({ type }))
  return stopAll([
    () => clearTimeout(recheck),
    listen(document, 'visibilitychange', () => {
      emit({ type: pageIsVisible() ? 'visible' : 'hidden' })
      // Coming back to a tab does not always fire `focus` (e.g. restoring a minimised window
      // in some engines), so ask.
      if (pageIsVisible()) emit({ type: pageHasFocus() ? 'focus' : 'blur' })
    }),
    watchFrames((win) => {
      // A frame's window blurs when focus goes back to the page too; only leaving counts.
      const inFrame = win !== window
      return stopAll([
        relay(win, 'focus'),
        listen(win, 'blur', () => {
          if (focusIsInOwnFrame() || (inFrame && pageHasFocus())) return emit({ type: 'blur', intoFrame: true })
          emit({ type: 'blur' })
          // Firefox blurs the window before it makes the clicked iframe the active element: look
          // once more after this task. (One timer per blur, never a poll.)
          recheck = setTimeout(() => focusIsInOwnFrame() && pageHasFocus() && emit({ type: 'focus' }))
        }),
      ])
    }),
    relay(document, 'freeze'),
    relay(document, 'resume'),
    ...(['pagehide', 'pageshow'] as const).map((type) =>
      listen<PageTransitionEvent>(window, type, (e) => emit({ type, persisted: e.persisted })),
    ),
  ])
}
