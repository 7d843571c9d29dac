// Polling for end-to-end tests: a server starting, a page reaching a state, a queue draining.

export interface WaitOptions {
  /** Default 30 s. */
  timeoutMs?: number
  /** More to say when it times out (a server's output). */
  context?: () => string
  /** A probe that throws counts as "not yet" (a server still starting refuses connections). */
  tolerateErrors?: boolean
}

/** Polls `probe` every 100 ms until it gives a value; after `timeoutMs`, fails naming `what`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    const value = await (options.tolerateErrors ? probe().catch(() => undefined) : probe())
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${options.context?.() ?? ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
