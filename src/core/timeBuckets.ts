/**
 * Where every millisecond of an activity lands. `not-counted` is time the platform never hears
 * about: the app paused the activity, or the tab was abandoned (hidden past `hiddenTimeoutMs`).
 */
export type Bucket = 'active' | 'inactive' | 'unknown' | 'waste' | 'anti-pattern' | 'not-counted'

/** Why a stretch of time is in its bucket; shown by the demo and readable by apps. */
export type Reason =
  | 'input' // active: input within idleTimeoutMs
  | 'media' // active: a <video>/<audio> is playing on the visible page
  | 'media-unattended' // inactive: media still playing, no input for the media limit
  | 'idle' // inactive: visible, but no input for idleTimeoutMs
  | 'blurred' // inactive: visible, but another window has focus
  | 'hidden' // inactive: tab hidden (switched away, minimised, in the back/forward cache)
  | 'frozen' // unknown: the browser froze the visible page
  | 'clock-gap' // unknown: the clock jumped past what timers saw (device sleep)
  | 'marked' // waste / anti-pattern: declared by the app with activity.mark()
  | 'paused' // not counted: activity.pause()
  | 'abandoned' // not counted: hidden longer than hiddenTimeoutMs

/** What `activity.mark()` declares time to be. */
export type MarkKind = 'waste' | 'anti-pattern'

/** A classified stretch of time, `[start, end)` in ms on the activity's (monotonic) clock. */
export interface Interval {
  start: number
  end: number
  bucket: Bucket
  reason: Reason
  subType?: string
}

/** What the DOM adapters (or a test) tell the core. Each comes with the time it happened. */
export type Signal =
  | { type: 'visible' }
  | { type: 'hidden' }
  | { type: 'focus' }
  /** `intoFrame`: focus moved into, out of or between this page's iframes: not leaving it. */
  | { type: 'blur'; intoFrame?: boolean }
  | { type: 'input' }
  /** This tab credits playing media; `durationMs`: the longest playing media's, if finite. */
  | { type: 'media-playing'; durationMs?: number }
  | { type: 'media-paused' }
  | { type: 'freeze' }
  | { type: 'resume' }
  | { type: 'pagehide'; persisted: boolean }
  | { type: 'pageshow'; persisted: boolean }
  | { type: 'app-pause' }
  | { type: 'app-resume' }
  | { type: 'mark'; kind: MarkKind; subType?: string }
  | { type: 'unmark' }

/** Classification rules' knobs. */
export interface ClassifierOptions {
  /** Visible, focused, no media: active until this long after the last input. */
  idleTimeoutMs: number
  /** Hidden time counts as inactive up to this long, then as not counted (abandoned tab). */
  hiddenTimeoutMs: number
  /** Media without input counts as active this long (or the media's duration, if longer). */
  mediaIdleTimeoutMs: number
}
