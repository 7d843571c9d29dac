// Issue 19.3's scenario: another tab holds a readwrite transaction on the tracker's store for
// longer than `requestTimeoutMs`, the student keeps working, the store is free again, the
// tracker's tab crashes later. The tab's IndexedDB calls queue behind the other transaction for
// real; the tracker goes to memory, keeps delivering its slices, comes back to IndexedDB, and the
// crash loses at most `checkpointMs`. In Chromium the tracker's tab is a real second page crashed
// for real (CDP Page.crash); elsewhere an iframe whose removal it never hears.
import { expect } from 'chai'
import { createTracker, type Tracker } from '../../../src/index.js'
import { collector, type Collector } from '../support/collector.js'
import { installFakeClock } from '../support/fakeClock.js'
import { openTrackerFrame } from '../support/frames.js'
import { holdStore } from '../support/holdStore.js'
import { randomId } from '../support/page.js'
import { actor, reportedSeconds } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const CHECKPOINT_MS = 2000

/** A tracker page to drive by expressions (its `harness`, `dispatchEvent`), and to crash. */
interface Tab {
  run(expression: string): Promise<unknown>
  crash(): Promise<void>
}

async function openTab(query: string): Promise<Tab> {
  const url = `/test/fixtures/trackerFrame.html?${query}`
  if (navigator.userAgent.includes('Chrome/')) {
    const { executeServerCommand } = await import('@web/test-runner-commands')
    const name = `stall-${randomId()}`
    await executeServerCommand('open-page', { name, url })
    const run = async (expression: string) => ((await executeServerCommand('page-eval', { name, expression })) as { value: unknown }).value
    await run(`new Promise((resolve) => (window.harness ? resolve() : addEventListener('harness-ready', resolve)))`)
    return { run, crash: async () => void (await executeServerCommand('crash-page', { name })) }
  }
  const params = Object.fromEntries(new URLSearchParams(query))
  const tab = await openTrackerFrame({ ...params, crash: true })
  const win = tab.frame.contentWindow as unknown as { eval(expression: string): unknown }
  return { run: async (expression) => win.eval(expression), crash: async () => tab.frame.remove() }
}

describe('another tab holds the store longer than requestTimeoutMs, then the tab crashes', () => {
  let next: Tracker | undefined
  const releases: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(releases.splice(0).map((release) => release()))
    await next?.destroy()
    next = undefined
    document.querySelectorAll('iframe').forEach((f) => f.remove())
  })

  /** `seconds` of work in the tab: an input each second on its fake clock. */
  const work = (tab: Tab, seconds: number) =>
    tab.run(`(async () => { for (let i = 0; i < ${seconds}; i++) { dispatchEvent(new PointerEvent('pointermove')); await harness.clock.tick(1000) } })()`)
  const storage = async (tab: Tab) => (await tab.run(`harness.tracker.snapshot().queue.storage`)) as string
  const active = async (sink: Collector) => (await reportedSeconds(sink)).active ?? 0

  it('goes to memory, keeps delivering slices, comes back, and the crash loses at most checkpointMs', async function () {
    this.timeout(120_000)
    const store = `test-${randomId()}`
    const sink = collector()
    // Deadlines of 1 s; a slice every 10 s; the fake clock waits at most 1 s for a transaction.
    const tab = await openTab(`store=${store}&endpoint=${sink.url}&start&fakeClock&idbCapMs=1000&requestTimeoutMs=1000&sliceMs=10000&checkpointMs=${CHECKPOINT_MS}`)
    await tab.run(`window.modes = []; harness.tracker.subscribe((s) => modes.push(s.queue.storage))`)
    await work(tab, 5)
    expect(await storage(tab)).to.equal('indexeddb')

    const release = await holdStore(store)
    releases.push(release)
    await work(tab, 25)
    expect(await storage(tab)).to.equal('memory')
    // The slices closed while the store was held left by fetch (10 s and 20 s; 30 s is open).
    await waitFor(async () => (await active(sink)) >= 20, 'the slices of the stall delivered')

    releases.pop()
    await release()
    await work(tab, 40)
    expect(await storage(tab)).to.equal('indexeddb')
    const errors = (await tab.run(`harness.errors.map((e) => e.code)`)) as string[]
    expect(errors).to.deep.equal(['storage-unavailable', 'storage-restored'])
    const modes = (await tab.run(`modes.filter((m, i, all) => m !== all[i - 1])`)) as string[]
    expect(modes.slice(-2), 'subscribers saw the mode change and change back').to.deep.equal(['memory', 'indexeddb'])
    await tab.crash()

    // 70 s of work. The next page of the origin seals the crashed tab's last checkpoint.
    const clock = installFakeClock()
    try {
      next = createTracker({ endpoint: sink.url, app: { name: 'Math App' }, actor, storeName: store, onError: () => {} })
      await waitFor(async () => {
        await next!.flush()
        return (await next!.queue()).length === 0 && (await active(sink)) >= 70 - CHECKPOINT_MS / 1000
      }, `at least ${70 - CHECKPOINT_MS / 1000} s of the 70 s delivered`, 15_000)
      expect(await active(sink), 'nothing credited twice').to.be.at.most(70)
    } finally {
      clock.uninstall()
    }
  })
})
