// Other pages of the same origin, as iframes running test/fixtures/trackerFrame.ts.
import type { Activity, Tracker, TrackerError } from '../../../src/index.js'
import type { FakeClock } from './fakeClock.js'
import { waitFor } from './waitFor.js'

export interface FrameHarness {
  frame: HTMLIFrameElement
  tracker: Tracker
  clock: FakeClock | undefined
  activity: Activity | undefined
  errors: TrackerError[]
  /** For frames opened with `offline`: the network comes back. */
  reconnect(): void
  input(): void
}

export async function openTrackerFrame(params: Record<string, string | number | boolean>): Promise<FrameHarness> {
  const frame = document.createElement('iframe')
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== false).map(([k, v]) => [k, v === true ? '' : String(v)]))
  frame.src = `/test/fixtures/trackerFrame.html?${query}`
  document.body.append(frame)
  return harnessOf(frame)
}

export async function harnessOf(frame: HTMLIFrameElement): Promise<FrameHarness> {
  const win = () => frame.contentWindow as (Window & { harness?: Omit<FrameHarness, 'frame' | 'input'> }) | null
  const h = await waitFor(() => win()?.harness, 'the tracker frame to start', 15_000)
  return { frame, ...h, input: () => win()!.dispatchEvent(new (win() as unknown as typeof globalThis).PointerEvent('pointermove')) }
}

/** Reloads the frame (a page reload of that "tab") and returns the new page's harness. */
export async function reloadFrame(h: FrameHarness): Promise<FrameHarness> {
  const loaded = new Promise((resolve) => h.frame.addEventListener('load', resolve, { once: true }))
  h.frame.contentWindow!.location.reload()
  await loaded
  return harnessOf(h.frame)
}
