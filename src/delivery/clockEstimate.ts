// The offset between this device's wall clock and the server's, from the server's answers.
// Pure: times come in as arguments.

/**
 * `offset`: add it to the device's clock to read the server's. The server read its clock at some
 * instant of the round trip, so the truth lies within ±`rtt`/2 of the offset; `at`: when learnt.
 */
export interface ClockEstimate {
  offset: number
  rtt: number
  at: number
}

/**
 * A kept estimate is trusted this long (on the device's clock) by the next page: a clock drifts
 * by seconds a day at most, but is set by hand or resynced at any moment, and a newer answer
 * that disagrees replaces an estimate at once anyway. Dates made with a stale estimate are
 * still put right by a proxy that corrects by `sendTime`: they are sent on the clock they were
 * dated on.
 */
export const ESTIMATE_MAX_AGE_MS = 86_400_000

/**
 * The better of `kept` and what an answer says: the server read `serverTime` within the round
 * trip from `sent` to `received` (device clock), give or take `slack` (1000 for a `Date` header:
 * whole seconds, cut down). The fastest round trip wins (a slow trip is a poor estimate: the
 * server read its clock somewhere within it), unless the two cannot both be true (their error
 * bounds do not overlap: the device's clock was set since), when the fresh reading is taken. A
 * round trip that ran backwards (the clock was set during the request) says nothing.
 */
export function nextEstimate(
  kept: ClockEstimate | undefined,
  sent: number,
  received: number,
  serverTime: number,
  slack: number,
): ClockEstimate | undefined {
  if (received < sent) return kept
  const fresh = { offset: serverTime + slack / 2 - (sent + received) / 2, rtt: received - sent + slack, at: received }
  const agree = kept && Math.abs(kept.offset - fresh.offset) <= (kept.rtt + fresh.rtt) / 2
  return agree && kept.rtt <= fresh.rtt ? kept : fresh
}

/** `kept` (from storage) if it is an estimate still to be trusted at `now`. */
export const trusted = (kept: ClockEstimate | undefined, now: number) =>
  kept && now - kept.at < ESTIMATE_MAX_AGE_MS ? kept : undefined
