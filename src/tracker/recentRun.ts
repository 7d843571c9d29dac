// Which run a page that comes back continues. The latest run's last sign of life is kept in
// localStorage (synchronous, so it is current even when a page dies without warning): a
// reload, a crash or a reopened tab that starts the same activity for the same student within
// the window continues that run instead of starting another.

export interface RecentRun {
  /** The run of `key` alive within the window and not completed, if any. */
  find(key: string): string | undefined
  /** `runId` of `key` is alive now; without `runId`: the run is completed, forget it. */
  note(key: string, runId?: string): void
}

export function recentRun(storageKey: string, windowMs: number): RecentRun {
  // Storage may be blocked (a sandboxed frame), full or damaged: then runs do not carry over
  // to the next page, and nothing else is affected.
  const attempt = <T>(use: (storage: Record<string, string>) => T) => {
    try {
      return use(localStorage as unknown as Record<string, string>)
    } catch {
      return undefined
    }
  }
  return {
    find: (key) =>
      attempt((storage) => {
        const [k, runId, at] = JSON.parse(storage[storageKey]!)
        return k === key && Date.now() - at <= windowMs ? runId : undefined
      }),
    note: (key, runId) =>
      attempt((storage) => (runId ? (storage[storageKey] = JSON.stringify([key, runId, Date.now()])) : delete storage[storageKey])),
  }
}
