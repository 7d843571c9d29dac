// Counts event listeners added and not yet removed, so a test can prove none is left behind.
type Key = string

/** In this window, or in another one (an iframe's: its own `EventTarget`). */
export function watchListeners(realm: Window = window) {
  const proto = (realm as typeof window).EventTarget.prototype
  const add = proto.addEventListener
  const remove = proto.removeEventListener
  const live = new Map<Key, number>()
  const ids = new WeakMap<object, number>()
  let next = 1
  const idOf = (o: object) => ids.get(o) ?? (ids.set(o, next++), next - 1)
  const keyOf = (target: EventTarget, type: string, fn: unknown, options?: boolean | EventListenerOptions) => {
    const capture = typeof options === 'boolean' ? options : !!options?.capture
    return `${idOf(target)}:${type}:${idOf(fn as object)}:${capture}`
  }
  proto.addEventListener = function (this: EventTarget, type: string, fn: any, options?: boolean | AddEventListenerOptions) {
    if (fn) live.set(keyOf(this, type, fn, options), 1)
    return add.call(this, type, fn, options)
  }
  proto.removeEventListener = function (this: EventTarget, type: string, fn: any, options?: boolean | EventListenerOptions) {
    if (fn) live.delete(keyOf(this, type, fn, options))
    return remove.call(this, type, fn, options)
  }
  return {
    /** Listeners added since `watchListeners()` and still attached, as `target:type` labels. */
    count: () => live.size,
    types: () => [...live.keys()].map((k) => k.split(':')[1]),
    restore() {
      proto.addEventListener = add
      proto.removeEventListener = remove
    },
  }
}
