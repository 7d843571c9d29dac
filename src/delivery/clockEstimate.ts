// The offset between this device's wall clock and the server's, from the server's answers.
// Pure: times come in as arguments.

/**
 * `offset`: add it to the device's clock to read the server's. The server read its clock at some
 * instant of the round trip, so the truth lies within ±`rtt`/2 of the offset; `at`: when the
 * request it was learnt from was sent (device clock). A tuple, as it is kept in localStorage: the fewest bytes on the script tag.
 */
export type ClockEstimate = [offset: number, rtt: number, at: number]

/**
 * A kept estimate is trusted this long by the next page: a device's clock is set by hand or
 * resynced at any moment (an answer that disagrees replaces the estimate at once anyway).
 */
export const ESTIMATE_MAX_AGE_MS = 86_400_000

/** A server's time to believe: a finite epoch between 2020 and 2096 (not 0, not garbage). */
export const plausible = (time: unknown): time is number => typeof time == 'number' && time > 1.6e12 && time < 4e12

/**
 * The better of `kept` and what an answer says: the server read `serverTime` within a round trip
 * of `rtt` ms (monotonic) sent at `sent` (device clock), give or take `slack` (1000 for a `Date`
 * header: whole seconds, cut down). The fastest round trip wins (the server read its clock
 * somewhere within it), unless the two cannot both be true (their error bounds do not overlap:
 * the device's clock was set since, or has drifted that far), when the fresh reading is taken.
 */
export function nextEstimate(kept: ClockEstimate | undefined, sent: number, rtt: number, serverTime: number, slack: number): ClockEstimate {
  const offset = serverTime + slack / 2 - sent - rtt / 2
  rtt += slack
  return kept && kept[1] <= rtt && Math.abs(kept[0] - offset) <= (kept[1] + rtt) / 2 ? kept : [offset, rtt, sent]
}

/** `kept` (from storage) if it is an estimate still to be trusted at `now`. */
export const trusted = (kept: ClockEstimate | undefined, now: number) => (kept && now - kept[2] < ESTIMATE_MAX_AGE_MS ? kept : undefined)

/**
 * `value` (events, or an envelope) with its dates, made on the device's clock, moved by `offset`
 * onto the server's as now known. The journal keeps device dates; they are moved only on the way
 * out, together with the envelope's `sendTime`, so dates and `sendTime` are always on one clock
 * and a proxy that corrects by `sendTime` puts right whatever the estimate was off by (none yet:
 * 0, and the proxy corrects it all). A proxy that does not correct gets true dates once the
 * estimate is known, even for events made before it was. A value under one of these keys that is
 * no date (an app's own extension) stays as it is.
 */
export const onServerClock = <T>(value: T, offset: number): T =>
  JSON.parse(JSON.stringify(value), (key, v) =>
    /^(eventTime|sendTime|startDate|endDate)$/.test(key) && Date.parse(v) ? new Date(Date.parse(v) + offset).toISOString() : v,
  )
