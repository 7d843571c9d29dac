// Waits in real time (not the fake clock) for a condition, e.g. a request reaching the collector.
const realSetTimeout = window.setTimeout.bind(window)

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => realSetTimeout(r, 25))
  }
}
