/** Retry delays: full-jitter exponential backoff from 1 s, capped at 5 min. */
export const BACKOFF_BASE_MS = 1_000
export const BACKOFF_CAP_MS = 300_000

/**
 * A random delay in `[0, min(cap, base · 2^attempt))` ("full jitter"), so many students whose
 * proxy came back at the same moment do not all retry at the same moment.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt))
}

/** A `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`, capped. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), BACKOFF_CAP_MS) : undefined
}
