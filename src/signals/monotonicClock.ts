/**
 * The clock an activity is measured with: `performance.now()`, a monotonic clock that wall-clock
 * corrections (NTP, a managed device resyncing, a student changing the time) do not move, so a
 * correction neither adds nor removes measured time. Readings are offset to start at the
 * wall-clock time of creation, so they still read as epoch ms. Input is stamped when handled, not
 * with the event's `timeStamp` (the same clock, at most a task earlier, and out of reach of a
 * test's fake clock), so one source stamps everything.
 */
export function createMonotonicClock(): () => number {
  const offset = Date.now() - performance.now()
  // A prerendered page's clock stands still (at the page's time origin) until activation: the
  // student sees none of that time.
  return () => offset + (document.prerendering ? 0 : performance.now())
}
