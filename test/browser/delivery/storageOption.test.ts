// The `storage` option (issue 14.4): in a cross-site iframe Chromium refuses the page's own
// IndexedDB and Web Locks, and gives them back only through the handle of
// `document.requestStorageAccess({ indexedDB: true, locks: true })`. Here the page's own APIs
// refuse as Chromium's do, and a handle-like object holds the real ones: the tracker must store,
// take its locks and deliver through the handle alone.
import { expect } from 'chai'
import { createTracker, TimebackValidationError, type TrackerOptions } from '../../../src/index.js'
import { collector } from '../support/collector.js'
import { expectAllDelivered } from '../support/delivered.js'
import { input, randomId } from '../support/page.js'
import { SECOND, actor, lesson, useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

describe('the storage option (a Storage Access handle)', () => {
  const slot = useTrackerSlot()

  /** Makes the page's own IndexedDB and Web Locks refuse; returns their real methods. */
  function refusePageStorage() {
    const { open } = IDBFactory.prototype
    const { request } = LockManager.prototype
    IDBFactory.prototype.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'UnknownError')
    }
    LockManager.prototype.request = (() => Promise.reject(new DOMException('The request was denied.', 'SecurityError'))) as typeof request
    slot.undo.push(() => {
      IDBFactory.prototype.open = open
      LockManager.prototype.request = request
    })
    return { open, request }
  }

  it('opens its database and takes its flush lock through the handle; stores and delivers', async () => {
    const real = refusePageStorage()
    // Counting wrappers around the real factory and lock manager (a handle's members are such objects).
    const opened: string[] = []
    const locked: string[] = []
    const handle = {
      indexedDB: { open: (name: string) => (opened.push(name), real.open.call(indexedDB, name)) } as IDBFactory,
      locks: {
        request: ((name: string, ...rest: unknown[]) => (locked.push(name), (real.request as Function).call(navigator.locks, name, ...rest))) as LockManager['request'],
      } as LockManager,
    }
    const sink = collector()
    const storeName = `test-${randomId()}`
    slot.create({ endpoint: sink.url, storeName, storage: handle })
    const activity = slot.tracker!.startActivity(lesson)
    for (let i = 0; i < 12; i++) {
      input()
      await slot.clock.tick(SECOND)
    }
    // The checkpoint is in the handle's IndexedDB; no lock is held for it (see webLocks.ts).
    const open = await waitFor(async () => (await slot.tracker!.queue()).find((r) => r.open), 'a checkpoint stored')
    expect(open.type).to.equal('TimeSpentEvent')
    const result = await activity.complete({ xpEarned: 5 })
    const counts = await expectAllDelivered(sink, result.recorded ? result.eventIds : [])
    expect([...counts.values()]).to.deep.equal([1, 1])
    await waitFor(async () => (await slot.tracker!.queue()).length === 0, 'the queue emptied')
    expect(locked, 'the flush lock').to.include(`${storeName}:flush`)
    expect(locked.filter((name) => name !== `${storeName}:flush`), 'no other lock').to.deep.equal([])
    expect(new Set(opened), 'each connection opened through the handle').to.deep.equal(new Set([storeName]))
    expect(slot.tracker!.snapshot().queue.storage).to.equal('indexeddb')
    expect(slot.errors, 'nothing refused').to.deep.equal([])
  })

  it('without it, the same page refuses: memory and Web Locks refused, each said once', async () => {
    refusePageStorage()
    slot.create()
    slot.tracker!.startActivity(lesson)
    input()
    await slot.clock.tick(6 * SECOND)
    await slot.tracker!.flush()
    await waitFor(() => slot.errors.length === 2, 'both refusals said')
    expect(slot.errors.map((e) => e.message.split(' ')[0]).sort()).to.deep.equal(['IndexedDB', 'Web'])
    expect(slot.tracker!.snapshot().queue.storage).to.equal('memory')
  })

  it('a bad storage is refused naming the field; real objects and an empty one are taken', async () => {
    const make = (storage: unknown) => () =>
      createTracker({ endpoint: '/x', app: { name: 'A' }, actor, storeName: `test-${randomId()}`, storage } as TrackerOptions)
    const bad: Record<string, unknown> = {
      'a string': 'handle',
      null: null,
      'a number': 5,
      'an indexedDB without open()': { indexedDB: {} },
      'locks without request()': { indexedDB, locks: {} },
      'a null indexedDB': { indexedDB: null, locks: navigator.locks },
    }
    for (const [what, storage] of Object.entries(bad)) {
      expect(make(storage), what).to.throw(TimebackValidationError, 'createTracker: storage: must be { indexedDB?, locks? }')
    }
    const made = [{ indexedDB, locks: navigator.locks }, { indexedDB }, { locks: navigator.locks }, {}].map((good) => make(good)())
    await Promise.all(made.map((tracker) => tracker.destroy()))
  })
})
