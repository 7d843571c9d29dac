// A tracker on a fake clock and a collector, torn down after each test.
import { createTracker, type Tracker, type TrackerError, type TrackerOptions } from '../../../src/index.js'
import { collector, type Collector } from './collector.js'
import { installFakeClock, type FakeClock } from './fakeClock.js'
import { input, randomId, resetPage, setFocus, setVisibility } from './page.js'
import { waitFor } from './waitFor.js'

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
    try {
      await inRealTime(cleanup(), CLEANUP_MS, 'the cleanup after the test (tracker.destroy())')
    } finally {
      // Even when the cleanup failed: with a fake clock left on the page (its setTimeout and
      // Date.now), the page never reports that the file finished: one silent file timeout after
      // 300 s, no test named.
      page.clock.uninstall()
      resetPage()
    }
  })
  return page
}

/**
 * A cleanup that waits on a fake timer (a test that failed half-way, its tracker stuck behind a
 * `headers()` hook or a deadline nobody will tick) would wait for good: fail it in real time,
 * within mocha's own hook timeout (20 s), so the clock still comes off.
 */
const CLEANUP_MS = 15 * SECOND
const realSetTimeout = window.setTimeout.bind(window)
const realClearTimeout = window.clearTimeout.bind(window)

function inRealTime(work: Promise<void> | void, ms: number, what: string): Promise<void> {
  let timer: number | undefined
  const late = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (real time)`)), ms)
  })
  return Promise.race([Promise.resolve(work), late]).finally(() => realClearTimeout(timer))
}

/** Counts (and lists) the targets `tracker.startActivity` is called with; options pass through. */
export function countStarts(tracker: Tracker): string[] {
  const starts: string[] = []
  const original = tracker.startActivity.bind(tracker)
  tracker.startActivity = (target, options) => {
    starts.push(target.id)
    return original(target, options)
  }
  return starts
}

/** `seconds` of work: an input each second on the fake clock. */
export async function work(clock: FakeClock, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    input()
    await clock.tick(1 * SECOND)
  }
}

/** `[type, extensions.runId]` of every distinct event that reached the collector, in order. */
export async function sentEvents(sink: Collector): Promise<Array<[string, string]>> {
  const byId = new Map<string, [string, string]>()
  for (const request of await sink.received()) for (const event of request.envelope.data) byId.set(event.id, [event.type, event.extensions?.runId])
  return [...byId.values()]
}

/** A tracker each test creates itself, with the options it needs; destroyed after the test. */
export interface TrackerSlot {
  clock: FakeClock
  /** What `onError` received during this test. */
  errors: TrackerError[]
  tracker: Tracker | undefined
  /** Creates this test's tracker: a fresh store, a fresh collector, errors kept; `extra` on top. */
  create(extra?: Partial<TrackerOptions>): Tracker
  /** What the test changed on the page (a stubbed API, a listener) and undoes after it, first. */
  undo: Array<() => void>
}

/** A fake page plus a tracker slot. After each test, `slot.undo` runs, then the tracker goes. */
export function useTrackerSlot(): TrackerSlot {
  const slot = {
    errors: [] as TrackerError[],
    undo: [] as Array<() => void>,
    tracker: undefined as Tracker | undefined,
    create(extra: Partial<TrackerOptions> = {}) {
      return (slot.tracker = createTracker({
        endpoint: collector().url,
        app: { name: 'Math App' },
        actor,
        storeName: `test-${randomId()}`,
        onError: (e) => slot.errors.push(e),
        ...extra,
      }))
    },
  } as TrackerSlot
  const page = useFakePage(async () => {
    slot.undo.splice(0).forEach((undo) => undo())
    await slot.tracker?.destroy()
    slot.tracker = undefined
  })
  beforeEach(() => {
    slot.errors.length = 0
    slot.clock = page.clock
  })
  return slot
}

/** A tracker created before each test with the same options (a fresh store each time). */
export function useTracker(extra: () => Partial<TrackerOptions> = () => ({})): Harness {
  const slot = useTrackerSlot()
  const h = {} as Harness
  beforeEach(() => {
    h.clock = slot.clock
    h.errors = slot.errors
    h.sink = collector()
    h.tracker = slot.create({ endpoint: h.sink.url, ...extra() })
  })
  return h
}

/**
 * Waits until the tracker has delivered everything it stored (a hide or a pause closes a slice,
 * which is sent at once), so the request's own timeout timer is gone too.
 */
export async function deliveriesDone(h: Harness): Promise<void> {
  await waitFor(() => h.tracker.snapshot().queue.pending === 0, 'the queue to drain')
  await h.clock.quiet()
}

/** The codes of errors a tracker reported, in order. */
export const codes = (errors: Error[]) => errors.map((e) => (e as TrackerError).code)

/** One short activity of `slot`'s tracker, completed: a TimeSpentEvent and an ActivityEvent. */
export async function completeOne(slot: TrackerSlot, i = 0): Promise<string[]> {
  const activity = slot.tracker!.startActivity({ ...lesson, id: `${lesson.id}?part=${i}` })
  input()
  await slot.clock.tick(3 * SECOND)
  const result = await activity.complete({ xpEarned: 10 + i })
  return result.recorded ? result.eventIds : []
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
