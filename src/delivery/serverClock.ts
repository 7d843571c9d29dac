// The server's clock as the proxy's answers tell it, kept in localStorage: the next page (and
// every tab) dates its first events with it. Storage blocked (a sandboxed frame): no estimate,
// dates stay on the device's clock and a proxy that corrects by `sendTime` puts them right.
import { nextEstimate, plausible, trusted, type ClockEstimate } from './clockEstimate.js'

const kept = (storageKey: string): ClockEstimate | undefined => {
  try {
    return trusted(JSON.parse(localStorage[storageKey]), Date.now())
  } catch {
    return undefined // nothing kept, or storage blocked
  }
}

/**
 * What to add to `Date.now()` to date events on the server's clock (0 until it is known), less
 * the 10 s within which the proxy takes a device's clock as right (its `TRANSIT_MS`): so events
 * it corrected (those sent before the estimate was known) and events dated here meet without
 * overlap (the time budget would trim it), and an honest device's dates are not moved at all.
 */
export const serverOffset = (storageKey: string, offset = kept(storageKey)?.[0] ?? 0) =>
  Math.sign(offset) * Math.max(Math.abs(offset) - 1e4, 0)

/**
 * Learns from an answer to a request sent at `sent` (`Date.now()`) that took `rtt` ms: the
 * proxy's `serverTime` (ms) first, else the `Date` header (1 s).
 */
export function learnServerClock(storageKey: string, sent: number, rtt: number, body: unknown, date: string | null) {
  const serverTime = (body as { serverTime?: unknown } | undefined)?.serverTime
  const exact = plausible(serverTime)
  const read = exact ? serverTime : Date.parse(date!)
  if (plausible(read)) {
    try {
      localStorage[storageKey] = JSON.stringify(nextEstimate(kept(storageKey), sent, rtt, read, exact ? 0 : 1000))
    } catch {
      // storage blocked or full: as without an estimate
    }
  }
}
