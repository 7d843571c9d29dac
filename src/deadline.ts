/**
 * `promise`, or a rejection once `ms` have passed without it settling: every awaited step inside
 * a flush (the `headers()` hook, the request, IndexedDB) gets one, so no flush holds the
 * cross-tab flush lock forever, and `flush()` and `destroy()` end. Waiting for that lock while
 * another tab flushes has no deadline of its own: it lasts at most that tab's flush, bounded by
 * these same deadlines (and Chromium does not freeze a page that holds a Web Lock).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
