import type { Bucket, ClassifierOptions, Reason, Signal } from './timeBuckets.js'

/** Everything the classification depends on, as last signalled. */
export interface PageState {
  visible: boolean
  focused: boolean
  mediaPlaying: boolean
  /** Duration of the longest playing media (0 when unknown or endless). */
  mediaMs: number
  frozen: boolean
  paused: boolean
  /** The app's mark, as the classification it imposes. */
  mark: Classification | undefined
  /** Last evidence of the student: input, focus, becoming visible, media stopping, start. */
  lastInput: number
  /** The same, except media stopping: media alone cannot keep itself credited. */
  attended: number
  /** When the page was last hidden (meaningful while `!visible`). */
  hiddenSince: number
  /**
   * Input reached the page after it lost focus: the student is hovering, wheeling or touching a
   * page in another window's shadow (a tool in an unfocused iframe, a second monitor).
   */
  inputSinceBlur?: boolean
}

/** A stretch's kind of time: its bucket, why (`reason`), and a mark's `subType`. */
export interface Classification {
  bucket: Bucket
  reason: Reason
  subType?: string
}

/**
 * The bucket of the instant `t` for a page in `state`. Precedence, first match wins:
 * paused → hidden past the cap (abandoned) → hidden → frozen → marked → media (attended within
 * the media limit, else unattended) → blurred with no input since → input within the idle
 * timeout → idle (blurred, if unfocused). A page frozen while hidden stays "hidden": it cannot
 * become visible without resuming first, so nothing unobserved happened.
 */
export function classifyMoment(state: PageState, t: number, options: ClassifierOptions): Classification {
  if (state.paused) return { bucket: 'not-counted', reason: 'paused' }
  if (!state.visible) {
    return t - state.hiddenSince >= options.hiddenTimeoutMs
      ? { bucket: 'not-counted', reason: 'abandoned' }
      : { bucket: 'inactive', reason: 'hidden' }
  }
  if (state.frozen) return { bucket: 'unknown', reason: 'frozen' }
  if (state.mark) return state.mark
  if (state.mediaPlaying) {
    return t - state.attended < mediaLimit(state, options)
      ? { bucket: 'active', reason: 'media' }
      : { bucket: 'inactive', reason: 'media-unattended' }
  }
  return (state.focused || state.inputSinceBlur) && t - state.lastInput < options.idleTimeoutMs
    ? { bucket: 'active', reason: 'input' }
    : { bucket: 'inactive', reason: state.focused ? 'idle' : 'blurred' }
}

/** Media without input stays credited this long: the limit, or the media's duration once. */
const mediaLimit = (state: PageState, options: ClassifierOptions) => Math.max(options.mediaIdleTimeoutMs, state.mediaMs)

/**
 * The first instant after `t` at which the classification changes with no new signal (the idle
 * deadline, the media limit, or the hidden-tab cap), or undefined when it will not.
 */
export function nextChangeAfter(state: PageState, t: number, options: ClassifierOptions): number | undefined {
  if (state.paused) return undefined
  // In any state one deadline at most can change the class: hidden, the cap; playing media, its
  // limit; otherwise the idle timeout. (This runs on every observation of the clock.)
  const at = !state.visible
    ? state.hiddenSince + options.hiddenTimeoutMs
    : state.mediaPlaying
      ? state.attended + mediaLimit(state, options)
      : state.lastInput + options.idleTimeoutMs
  return at > t && classifyMoment(state, at, options).reason !== classifyMoment(state, t, options).reason ? at : undefined
}

/** The state after `signal` arrives at `t`. Pure: returns a new object. */
export function applySignal(state: PageState, signal: Signal, t: number): PageState {
  const next = { ...state }
  switch (signal.type) {
    case 'input':
      next.lastInput = t
      next.inputSinceBlur = !state.focused
      break
    case 'visible':
    case 'pageshow':
      if (signal.type === 'pageshow' && !signal.persisted) break
      next.visible = true
      next.frozen = false
      next.lastInput = t
      break
    case 'hidden':
    case 'pagehide':
      if (state.visible) next.hiddenSince = t
      next.visible = false
      break
    case 'focus':
      next.focused = true
      next.lastInput = t
      break
    case 'blur':
      // Focus moving into (or out of) one of our own iframes is the student clicking in the page.
      if (signal.intoFrame) next.lastInput = t
      else next.focused = next.inputSinceBlur = false
      break
    case 'media-playing':
      next.mediaPlaying = true
      next.mediaMs = signal.durationMs ?? 0
      break
    case 'media-paused':
      // Watching counts as attention: the idle timeout starts when playback stops.
      next.mediaPlaying = false
      next.lastInput = t
      break
    case 'freeze':
      next.frozen = true
      break
    case 'resume':
      next.frozen = false
      break
    case 'app-pause':
      next.paused = true
      break
    case 'app-resume':
      next.paused = false
      next.lastInput = t
      break
    case 'mark':
      next.mark = { bucket: signal.kind, reason: 'marked' }
      if (signal.subType !== undefined) next.mark.subType = signal.subType
      break
    case 'unmark':
      next.mark = undefined
      break
  }
  if (next.lastInput !== state.lastInput && signal.type !== 'media-paused') next.attended = t
  return next
}
