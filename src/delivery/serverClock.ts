import { nextEstimate, trusted, type ClockEstimate } from './clockEstimate.js'

/** The server's clock as this page knows it from the proxy's answers. */
export interface ServerClock {
  /** What to add to `Date.now()` to read the server's clock (0 until it is known). */
  offset(): number
  /** Learns from an answer to a request sent at `sent` (`Date.now()`), answered now. */
  learn(sent: number, body: unknown, date: string | null): void
  /** An answer carried `serverTime`: this proxy corrects dates by each envelope's `sendTime`. */
  corrects?: boolean
}

/**
 * The server's clock, kept under `storageKey` in localStorage so the next page dates its first
 * events with it. The proxy's `serverTime` (ms) is read first, else the `Date` header (1 s).
 */
export function createServerClock(storageKey: string): ServerClock {
  let estimate: ClockEstimate | undefined
  try {
    estimate = trusted(JSON.parse(localStorage[storageKey]), Date.now())
  } catch {
    // nothing kept, or storage blocked (a sandboxed frame): learnt again from the first answer
  }
  const clock: ServerClock = {
    offset: () => estimate?.offset ?? 0,
    learn(sent, body, date) {
      const serverTime = (body as { serverTime?: unknown } | undefined)?.serverTime
      const exact = typeof serverTime === 'number'
      const read = exact ? serverTime : Date.parse(date!)
      clock.corrects ||= exact
      if (read !== read) return // NaN: neither
      estimate = nextEstimate(estimate, sent, Date.now(), read, exact ? 0 : 1000)
      try {
        localStorage[storageKey] = JSON.stringify(estimate)
      } catch {
        // storage blocked or full: the estimate lasts this page only
      }
    },
  }
  return clock
}
