// Web Locks, which may be missing, or present and refusing (`request()` rejects in a
// third-party iframe with storage blocked). Without them the callers fall back as documented:
// flushes are not serialised across tabs (the proxy's dedupe keeps that safe) and checkpoints
// are recovered by age instead of by lock.

export interface PageLocks {
  /** Runs `fn` holding `name` exclusively, waiting for it if another tab has it. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Takes `name` and resolves with its release once held. Never rejects. */
  hold(name: string): Promise<() => void>
  /** Runs `fn` holding `name` if nobody does: true; false if somebody does; undefined without locks. */
  ifFree(name: string, fn: () => Promise<void>): Promise<boolean | undefined>
}

/**
 * Page locks that tell `onRefused` (once) when the API is there but refuses. `manager` takes them
 * instead of the page's `navigator.locks` (a Storage Access handle's).
 */
export function createPageLocks(onRefused: (error: unknown) => void, manager?: LockManager): PageLocks {
  let missing = false
  /** `request(name, options, fn)`; runs `fn` without a lock when locks are missing or refused. */
  const request = async <T>(name: string, options: LockOptions, fn: (lock: Lock | null) => Promise<T>): Promise<T> => {
    const locks = missing ? undefined : manager || navigator.locks
    if (!locks) {
      missing = true
      return fn(null)
    }
    let granted = false
    try {
      return await locks.request(name, options, (lock) => ((granted = true), fn(lock)))
    } catch (error) {
      if (granted) throw error
      if (!missing) onRefused(error)
      missing = true
      return fn(null)
    }
  }
  return {
    exclusive: (name, fn) => request(name, {}, fn),
    hold: (name) => new Promise((held) => void request(name, {}, () => new Promise<void>((release) => held(release)))),
    ifFree: (name, fn) => request(name, { ifAvailable: true }, async (lock) => (lock ? (await fn(), true) : missing ? undefined : false)),
  }
}
