// What every framework adapter must do, written once. Each adapter's test file says how its
// framework mounts, remounts and unmounts (an AdapterUi) and keeps its own test titles, in its
// framework's words; the steps and the checks of a case are the same for all.
import { expect } from 'chai'
import { createTracker, type ActivityTarget, type Tracker, type TrackerOptions } from '../../../src/index.js'
import type { ActivityOptions } from '../../../src/adapters/activityLease.js'
import { settle } from './fakeClock.js'
import { randomId } from './page.js'
import { actor, countStarts, lesson, reportedSeconds, sentEvents, work, type Harness } from './trackerHarness.js'
import { waitFor } from './waitFor.js'

/**
 * A fresh element in the page before each test, given to `created` (to render into); after each
 * test `teardown` runs (unmount what was rendered), then the element is removed.
 */
export function useHost(created: (host: HTMLElement) => void, teardown: () => void | Promise<void>): void {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.append(host)
    created(host)
  })
  afterEach(async () => {
    await teardown()
    host.remove()
  })
}

/** One framework's way to render the lesson. Each step renders only: the case settles after it. */
export interface AdapterUi {
  /**
   * The tracker given to the framework's provider (plugin, provideTracker), around a lesson
   * component calling `useActivity(lesson, options)`, or `useActivity(lesson)` without options.
   */
  provided(options?: ActivityOptions): void
  /** A lesson component with no provider around it, calling `useActivity(target, options)`. */
  alone(options: Tracker | ActivityOptions, target?: ActivityTarget): void
  /** The provided lesson unmounted and mounted again in one update; with other options if given. */
  remount(options?: ActivityOptions): void | Promise<void>
  /** Everything rendered unmounted, then settled (the tracker stays). */
  unmount(): Promise<void>
  /** What the lesson component shows: its activity's status. */
  shown(): string
}

/** Starts on mount, ends on unmount, reports the measured time once. */
export async function measuresFromMountToUnmount(t: Harness, ui: AdapterUi): Promise<void> {
  ui.provided()
  await settle()
  const activity = t.tracker.activity!
  expect(activity.status).to.equal('running')
  expect(ui.shown()).to.equal('running')
  await work(t.clock, 12)
  await ui.unmount()
  expect(activity.status).to.equal('ended')
  await t.tracker.flush()
  expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 12 })
}

/** A remount in the same update re-joins the running activity. */
export async function remountRejoins(t: Harness, ui: AdapterUi): Promise<void> {
  const starts = countStarts(t.tracker)
  ui.provided()
  await settle()
  const first = t.tracker.activity!
  await ui.remount()
  await settle()
  expect(starts).to.deep.equal([lesson.id])
  expect(t.tracker.activity).to.equal(first)
  expect(first.status).to.equal('running')
}

/**
 * `{ time: false }`: no TimeSpentEvent, no checkpoint; complete() sends only the ActivityEvent;
 * a remount in one update re-joins it.
 */
export async function completionOnlyRejoins(t: Harness, ui: AdapterUi): Promise<void> {
  const starts = countStarts(t.tracker)
  ui.provided({ time: false })
  await settle()
  const activity = t.tracker.activity!
  expect(activity.status).to.equal('running')
  await work(t.clock, 90)
  await ui.remount()
  await settle()
  expect(t.tracker.activity).to.equal(activity)
  expect(starts).to.deep.equal([lesson.id])
  expect(await t.tracker.queue(), 'no slice, no checkpoint').to.deep.equal([])
  const result = await activity.complete({ totalQuestions: 1, correctQuestions: 1, xpEarned: 10 })
  expect(result).to.deep.equal({ recorded: true, eventIds: [activity.runId] })
  await ui.unmount()
  await t.tracker.flush()
  expect(await sentEvents(t.sink)).to.deep.equal([['ActivityEvent', activity.runId]])
}

/** `{ tracker, time: false }` with no provider: that tracker, no time; unmounting records nothing. */
export async function aloneCompletionOnlyRecordsNothing(t: Harness, ui: AdapterUi): Promise<void> {
  ui.alone({ tracker: t.tracker, time: false })
  await settle()
  const activity = t.tracker.activity!
  expect(ui.shown()).to.equal('running')
  await work(t.clock, 90)
  await ui.unmount()
  expect(activity.status).to.equal('ended')
  expect(await t.tracker.queue()).to.deep.equal([])
  await t.tracker.flush()
  expect(await sentEvents(t.sink)).to.deep.equal([])
}

/** The old forms still measure time: `useActivity(target)` provided, `useActivity(target, tracker)` alone. */
export async function oldFormsMeasureTime(t: Harness, ui: AdapterUi): Promise<void> {
  ui.provided()
  await settle()
  const first = t.tracker.activity!
  await work(t.clock, 12)
  await ui.unmount()
  expect(first.status).to.equal('ended')
  ui.alone(t.tracker, { ...lesson, id: 'https://app.example/lessons/8' })
  await settle()
  const second = t.tracker.activity!
  expect(second.id).to.equal('https://app.example/lessons/8')
  await work(t.clock, 8)
  await ui.unmount()
  expect(second.status).to.equal('ended')
  await t.tracker.flush()
  expect(await reportedSeconds(t.sink)).to.deep.equal({ active: 20 })
  const runs = (await sentEvents(t.sink)).filter(([type]) => type === 'TimeSpentEvent').map(([, runId]) => runId)
  expect(new Set(runs)).to.deep.equal(new Set([first.runId, second.runId]))
}

/** Other options in the same update start another activity instead of re-joining. */
export async function otherOptionsStartAnother(t: Harness, ui: AdapterUi): Promise<void> {
  const starts = countStarts(t.tracker)
  ui.provided({ time: false })
  await settle()
  const first = t.tracker.activity!
  await ui.remount({ time: true })
  await settle()
  expect(first.status).to.equal('ended')
  expect(t.tracker.activity).to.not.equal(first)
  expect(starts).to.deep.equal([lesson.id, lesson.id])
  await work(t.clock, 12)
  await ui.unmount()
  await t.tracker.flush()
  expect(await reportedSeconds(t.sink), 'the timed activity measured').to.deep.equal({ active: 12 })
}

/**
 * A provider given tracker options (not a tracker) owns its tracker: it creates it on mount, the
 * store name held while it runs, and destroys it on unmount, the name free again. `mount` renders
 * the provider, around a lesson, into `host`, tells `provides` the tracker it provides, and
 * returns how to unmount it. In real time: no fake clock.
 */
export async function providerOwnsItsTracker(
  framework: string,
  mount: (options: TrackerOptions, host: HTMLElement, provides: (tracker: Tracker | undefined) => void) => () => unknown,
): Promise<void> {
  const storeName = `test-${framework}-${randomId()}`
  const endpoint = `/collect/${framework}`
  const host = document.createElement('div')
  document.body.append(host)
  let tracker: Tracker | undefined
  const unmount = mount({ endpoint, app: { name: 'Math App' }, actor, storeName, onError: () => {} }, host, (t) => (tracker = t))
  await waitFor(() => tracker?.activity?.status === 'running' && true, 'the activity to start')
  const activity = tracker!.activity!
  const another = () => createTracker({ endpoint, app: { name: 'A' }, actor, storeName })
  expect(another).to.throw(/already running/)
  await unmount()
  host.remove()
  await waitFor(() => activity.status === 'ended' && true, 'the activity to end')
  await another().destroy() // the name is free again
}
