// Simulated page lifecycle, the way web-vitals' tests do it: headless browsers do not hide a
// page when another is brought to front, so redefine `document.visibilityState` and dispatch.

export function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' })
  document.dispatchEvent(new Event('visibilitychange'))
}

export function setFocus(focused: boolean): void {
  document.hasFocus = () => focused
  window.dispatchEvent(new FocusEvent(focused ? 'focus' : 'blur'))
}

export function resetPage(): void {
  delete (document as unknown as Record<string, unknown>).visibilityState
  delete (document as unknown as Record<string, unknown>).hidden
  delete (document as unknown as Record<string, unknown>).hasFocus
}

export function pageTransition(type: 'pagehide' | 'pageshow', persisted: boolean): void {
  window.dispatchEvent(new PageTransitionEvent(type, { persisted }))
}

export const input = () => window.dispatchEvent(new PointerEvent('pointermove'))

export const randomId = () => Math.random().toString(36).slice(2)
