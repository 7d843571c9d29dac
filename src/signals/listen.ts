/** Adds a listener and returns the function that removes it again (same options). */
export function listen<E extends Event>(
  target: EventTarget,
  type: string,
  handler: (event: E) => void,
  options?: AddEventListenerOptions,
): () => void {
  target.addEventListener(type, handler as EventListener, options)
  return () => target.removeEventListener(type, handler as EventListener, options)
}

/** One function that runs every `stop` given (removes listeners, clears timers). */
export const stopAll = (stops: Array<() => void>) => () => stops.forEach((stop) => stop())
