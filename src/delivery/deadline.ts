/**
 * `promise`, or a rejection once `ms` have passed without it settling: every awaited step of a
 * flush (the `headers()` hook, the request, IndexedDB, a Web Lock) gets one, so nothing can
 * hold the cross-tab flush lock, `flush()` or `destroy()` forever.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
