// A tracker on a fake clock and a collector, torn down after each test.
import { createTracker, type Tracker, type TrackerOptions } from '../../../src/index.js'
import { collector, type Collector } from './collector.js'
import { installFakeClock, type FakeClock } from './fakeClock.js'
import { randomId, resetPage, setFocus, setVisibility } from './page.js'

export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const actor = { id: 'https://sis.example/users/123', email: 'student@example.com' }
export const lesson = { id: 'https://app.example/lessons/7', subject: 'Math' as const }

export interface Harness {
  clock: FakeClock
  sink: Collector
  tracker: Tracker
  errors: Error[]
}

/**
 * A visible, focused page on a fake clock for each test. Returns a holder whose `clock` is set
 * before each test; `cleanup` runs after each test, before the clock is removed.
 */
export function useFakePage(cleanup: () => Promise<void> | void = () => {}): { clock: FakeClock } {
  const page = {} as { clock: FakeClock }
  beforeEach(() => {
    setVisibility('visible')
    setFocus(true)
    page.clock = installFakeClock()
  })
  afterEach(async () => {
    await cleanup()
    page.clock.uninstall()
    resetPage()
  })
  return page
}

/** Counts (and lists) the targets `tracker.startActivity` is called with. */
export function countStarts(tracker: Tracker): string[] {
  const starts: string[] = []
  const original = tracker.startActivity.bind(tracker)
  tracker.startActivity = (target) => {
    starts.push(target.id)
    return original(target)
  }
  return starts
}

export function useTracker(extra: () => Partial<TrackerOptions> = () => ({})): Harness {
  const h = { errors: [] as Error[] } as Harness
  const page = useFakePage(() => h.tracker.destroy())
  beforeEach(() => {
    h.errors = []
    h.clock = page.clock
    h.sink = collector()
    h.tracker = createTracker({
      endpoint: h.sink.url,
      app: { name: 'Math App' },
      actor,
      storeName: `test-${randomId()}`,
      onError: (e) => h.errors.push(e),
      ...extra(),
    })
  })
  return h
}

/** Exact seconds per kind over all TimeSpentEvents that reached the collector. */
export async function reportedSeconds(sink: Collector): Promise<Record<string, number>> {
  const seen = new Set<string>()
  const out: Record<string, number> = {}
  for (const request of await sink.received()) {
    for (const event of request.envelope.data) {
      if (event.type !== 'TimeSpentEvent' || seen.has(event.id)) continue
      seen.add(event.id)
      for (const item of event.generated.items) {
        const key = item.subType ? `${item.type}:${item.subType}` : item.type
        out[key] = (out[key] ?? 0) + item.value
      }
    }
  }
  return out
}
