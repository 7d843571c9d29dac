// Same-origin iframes for the frame tests: made from HTML, nested, navigated, and input
// dispatched inside them the way the browser does (at an element, with the frame's own classes).

export type FrameWindow = Window & typeof globalThis

/** Appends an iframe showing `html` to `parent` (a document's body) and waits for it to load. */
export async function addFrame(html: string, parent: HTMLElement = document.body): Promise<HTMLIFrameElement> {
  const frame = parent.ownerDocument.createElement('iframe')
  frame.srcdoc = html
  const loaded = loadOf(frame)
  parent.append(frame)
  await loaded
  return frame
}

export const loadOf = (frame: HTMLIFrameElement) => new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }))

export const windowOf = (frame: HTMLIFrameElement) => frame.contentWindow as FrameWindow

/** Navigates `frame` to other HTML (a new document, as a link or a form would) and waits. */
export async function navigate(frame: HTMLIFrameElement, html: string): Promise<void> {
  const loaded = loadOf(frame)
  frame.srcdoc = html
  await loaded
}

/** A keystroke in the frame's focused element (or body), bubbling like a real one. */
export function typeIn(frame: HTMLIFrameElement): void {
  const win = windowOf(frame)
  const target = win.document.activeElement ?? win.document.body
  target.dispatchEvent(new win.KeyboardEvent('keydown', { key: 'a', bubbles: true }))
}

/** A pointer move or a wheel turn over the frame's body. */
export function pointIn(frame: HTMLIFrameElement, type: 'pointermove' | 'wheel' = 'pointermove'): void {
  const win = windowOf(frame)
  const event = type === 'wheel' ? new win.WheelEvent('wheel', { bubbles: true }) : new win.PointerEvent('pointermove', { bubbles: true })
  win.document.body.dispatchEvent(event)
}
