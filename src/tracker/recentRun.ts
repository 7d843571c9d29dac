// Which run a page that comes back continues. The latest run's last sign of life is kept in
// localStorage (synchronous, so it is current even when a page dies without warning): a
// reload, a crash or a reopened tab that starts the same activity for the same student within
// the window continues that run instead of starting another.

/** The run of `key` noted under `storageKey` within `windowMs` and not completed since, if any. */
export function recentRun(storageKey: string, key: string, windowMs: number): string | undefined {
  try {
    const [noted, runId, at] = JSON.parse(localStorage[storageKey])
    return noted === key && Date.now() - at <= windowMs ? runId : undefined
  } catch {
    return undefined // nothing noted, or storage blocked (a sandboxed frame) or damaged
  }
}

/** Notes that `runId` of `key` is alive now; without a `runId`, that the run is completed. */
export function noteRun(storageKey: string, key: string, runId?: string): void {
  try {
    if (runId) localStorage[storageKey] = JSON.stringify([key, runId, Date.now()])
    else delete localStorage[storageKey]
  } catch {
    // storage blocked or full: runs do not carry over to the next page, nothing else is lost
  }
}
