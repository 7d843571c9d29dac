// Waits in real time (not the fake clock) for a condition, e.g. a request reaching the collector.
const realSetTimeout = window.setTimeout.bind(window)

/** `ms` of real time, even while a fake clock is installed (its timers are ticked by hand). */
export const realDelay = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms))

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await realDelay(25)
  }
}
