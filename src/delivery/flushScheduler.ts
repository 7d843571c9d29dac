import { backoffDelay } from './backoff.js'

/**
 * When flushes run: at most one at a time, one backoff timer, one "run again" flag, one pause.
 * It knows nothing of HTTP; the flush reports how it went through `retry()` / `succeeded()` /
 * `pause()`.
 */
export interface FlushScheduler {
  /** Run soon (same task's calls share one run), unless backing off, paused or stopped. */
  soon(): void
  /**
   * Run now, cutting any backoff short (`resume` also lifts a pause). Resolves once a run that
   * started after this call has ended, so whatever was stored before the call was attempted.
   */
  now(resume?: boolean): Promise<void>
  /** The run failed: run again after the next backoff step (at least `atLeastMs`); returns it. */
  retry(atLeastMs?: number): number
  /** Everything was acknowledged: the backoff starts over. */
  succeeded(): void
  /** Stop running until `now(true)`. */
  pause(): void
  /**
   * The page may be entering the back/forward cache or be frozen: start no run until it is
   * back (`suspend(false)`). A flush started now would run script in the cache (a Web Lock
   * granted, a fetch answered), and Chromium evicts a page for that.
   */
  suspend(leaving: boolean): void
  readonly paused: boolean
  stop(): void
}

export function createFlushScheduler(run: () => Promise<void>): FlushScheduler {
  let running: Promise<void> | undefined
  let again = false
  let queued = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let paused = false
  let stopped = false
  let leaving = false

  const cancelTimer = () => {
    clearTimeout(timer)
    timer = undefined
  }

  const start = (): Promise<void> => {
    if (stopped || paused || leaving) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    return (running = run().finally(() => {
      running = undefined
      const more = again && timer === undefined
      again = false
      if (more) void start()
    }))
  }

  return {
    soon() {
      if (queued || timer !== undefined) return
      queued = true
      queueMicrotask(() => {
        queued = false
        void start()
      })
    },
    async now(resume) {
      if (resume) paused = false
      cancelTimer()
      attempt = 0
      // A run already going may have read the journal before this call's events were stored.
      while (running) await running
      await start()
    },
    retry(atLeastMs = 0) {
      const wait = Math.max(backoffDelay(attempt++), atLeastMs)
      cancelTimer()
      if (!stopped) {
        timer = setTimeout(() => {
          timer = undefined
          void start()
        }, wait)
      }
      return wait
    },
    succeeded() {
      attempt = 0
    },
    pause() {
      paused = true
      cancelTimer()
    },
    suspend(on) {
      leaving = on
    },
    get paused() {
      return paused
    },
    stop() {
      stopped = true
      cancelTimer()
    },
  }
}
