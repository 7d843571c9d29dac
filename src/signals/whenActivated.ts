import { listen } from './listen.js'

declare global {
  interface Document {
    /** True while the page is prerendered (speculation rules), until the student opens it. */
    readonly prerendering?: boolean
  }
}

/**
 * Runs `callback` once the student can see the page: at once, or, for a page prerendered by
 * speculation rules (hidden, and maybe never shown), at its activation. As web-vitals'
 * `whenActivated`. `prerenderingchange` fires once in a page's life, when
 * `document.prerendering` turns false, so the listener needs no removal.
 */
export const whenActivated = (callback: () => void): void =>
  void (document.prerendering ? listen(document, 'prerenderingchange', callback) : callback())
