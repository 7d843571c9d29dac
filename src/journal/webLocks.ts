// Web Locks, which may be missing, or present and refusing (`request()` rejects in a
// third-party iframe with storage blocked). Without them the callers fall back as documented:
// flushes are not serialised across tabs (the proxy's dedupe keeps that safe), and each tab
// credits its own media. Firefox keeps no page that holds a lock in its back/forward cache, so
// none is held for a page's life: the flush lock only while flushing, the media lock only while
// media plays (docs/delivery.md, "Back/forward cache").

export interface PageLocks {
  /** Runs `fn` holding `name` exclusively, waiting for it if another tab has it. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>
}

/**
 * Page locks that tell `onRefused` (once) when the API is there but refuses. `manager` takes them
 * instead of the page's `navigator.locks` (a Storage Access handle's).
 */
export function createPageLocks(onRefused: (error: unknown) => void, manager?: LockManager): PageLocks {
  let missing = false
  return {
    // Runs `fn` without a lock when locks are missing or refused.
    async exclusive(name, fn) {
      const locks = missing ? undefined : manager || navigator.locks
      if (!locks) {
        missing = true
        return fn()
      }
      let granted = false
      try {
        return await locks.request(name, () => ((granted = true), fn()))
      } catch (error) {
        if (granted) throw error
        if (!missing) onRefused(error)
        missing = true
        return fn()
      }
    },
  }
}
