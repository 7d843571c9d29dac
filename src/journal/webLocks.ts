// Web Locks (all current engines). Without them the callers fall back as documented:
// flushes are not serialised across tabs (the proxy's dedupe keeps that safe) and checkpoints
// are recovered by age instead of by lock.

const lockManager = (): LockManager | undefined => (typeof navigator !== 'undefined' ? navigator.locks : undefined)

export const hasWebLocks = () => !!lockManager()

/** Runs `fn` while holding `name` exclusively, waiting for it if another tab has it. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = lockManager()
  return locks ? (locks.request(name, fn) as Promise<T>) : fn()
}

/** Takes `name` and keeps it until `release()` is called. Resolves once it is held. */
export function holdLock(name: string): Promise<() => void> {
  const locks = lockManager()
  if (!locks) return Promise.resolve(() => {})
  return new Promise((acquired) => {
    void locks.request(name, () => new Promise<void>((release) => acquired(() => release())))
  })
}

/** Runs `fn` holding `name` if nobody holds it; resolves `false` at once if somebody does. */
export async function ifLockFree(name: string, fn: () => Promise<void>): Promise<boolean> {
  const locks = lockManager()
  if (!locks) return false
  return locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return false
    await fn()
    return true
  })
}
