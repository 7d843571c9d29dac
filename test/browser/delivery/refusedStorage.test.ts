// Storage-like APIs that are present and refuse (a third-party iframe with storage blocked,
// issues 14.1 and 9.9): IndexedDB, Web Locks, or both. Each is replaced on its own; delivery
// works whenever fetch does, checkpoints are kept in memory, and each refusal is said once.
import { expect } from 'chai'
import type { TrackerError } from '../../../src/index.js'
import { collector } from '../support/collector.js'
import { expectAllDelivered } from '../support/delivered.js'
import { input } from '../support/page.js'
import { SECOND, lesson, useTrackerSlot } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const refuse = (name: string) => () => {
  throw new DOMException(`${name}: the user denied permission to access the storage.`, 'SecurityError')
}

function refuseIndexedDB(restore: Array<() => void>) {
  const open = IDBFactory.prototype.open
  IDBFactory.prototype.open = refuse('IndexedDB')
  restore.push(() => (IDBFactory.prototype.open = open))
}

function refuseWebLocks(restore: Array<() => void>) {
  const request = LockManager.prototype.request
  LockManager.prototype.request = (() => Promise.reject(new DOMException('Access to the Locks API is denied in this context.', 'SecurityError'))) as typeof request
  restore.push(() => (LockManager.prototype.request = request))
}

describe('storage-like APIs present but refusing', () => {
  const unhandled: unknown[] = []
  const onUnhandled = (e: PromiseRejectionEvent) => unhandled.push(e.reason)
  const slot = useTrackerSlot()
  beforeEach(() => {
    unhandled.length = 0
    addEventListener('unhandledrejection', onUnhandled)
    slot.undo.push(() => removeEventListener('unhandledrejection', onUnhandled))
  })

  /** 12 s of work (checkpoints at 5 and 10 s), a completion, then three more flushes. */
  async function workAndDeliver(): Promise<TrackerError[]> {
    const sink = collector()
    slot.create({ endpoint: sink.url })
    const activity = slot.tracker!.startActivity(lesson)
    for (let i = 0; i < 12; i++) {
      input()
      await slot.clock.tick(SECOND)
    }
    const open = await waitFor(async () => (await slot.tracker!.queue()).find((r) => r.open), 'a checkpoint')
    expect((open.event as { generated: { items: unknown[] } }).generated.items).to.deep.equal([
      { type: 'active', value: 10, startDate: '2025-03-01T10:00:00.000Z', endDate: '2025-03-01T10:00:10.000Z' },
    ])
    const result = await activity.complete({ xpEarned: 5 })
    const ids = result.recorded ? result.eventIds : []
    const counts = await expectAllDelivered(sink, ids)
    expect([...counts.values()]).to.deep.equal([1, 1])
    for (let i = 0; i < 3; i++) await slot.tracker!.flush()
    await slot.clock.tick(10 * SECOND)
    expect(await slot.tracker!.queue()).to.deep.equal([])
    expect(unhandled, 'unhandled rejections').to.deep.equal([])
    return slot.errors
  }

  it('IndexedDB only: memory journal, checkpoints in memory, said once', async () => {
    refuseIndexedDB(slot.undo)
    const errors = await workAndDeliver()
    expect(errors.map((e) => e.code)).to.deep.equal(['storage-unavailable'])
    expect(errors[0]!.message).to.match(/^IndexedDB refused/)
    expect(slot.tracker!.snapshot().queue.storage).to.equal('memory')
  })

  it('Web Locks only: flushes without the cross-tab lock, checkpoints still written, said once', async () => {
    refuseWebLocks(slot.undo)
    const errors = await workAndDeliver()
    expect(errors.map((e) => e.code)).to.deep.equal(['storage-unavailable'])
    expect(errors[0]!.message).to.match(/^Web Locks refused/)
    expect(slot.tracker!.snapshot().queue.storage).to.equal('indexeddb')
  })

  it('both: delivery from memory without a lock, each refusal said once', async () => {
    refuseIndexedDB(slot.undo)
    refuseWebLocks(slot.undo)
    const errors = await workAndDeliver()
    expect(errors.map((e) => e.message.split(' ')[0]).sort()).to.deep.equal(['IndexedDB', 'Web'])
    expect(errors.map((e) => e.code)).to.deep.equal(['storage-unavailable', 'storage-unavailable'])
  })
})
