// The event journal leaves memory mode (issue 19.3): another connection holds a readwrite
// transaction on the journal's store (as another tab does), so every call queues behind it; the
// journal's deadlines fall due on the fake clock, it works from memory, tries IndexedDB again on
// a backoff and writes back what memory kept once the store is free. Calls that missed their
// deadline complete late: what they wrote is not lost, and what was acknowledged meanwhile is
// back at most until it is sent again (the proxy drops the copy).
import { expect } from 'chai'
import { createStore, entries } from 'idb-keyval'
import { createEventJournal, type EventJournal } from '../../../src/journal/eventJournal.js'
import type { JournalRecord } from '../../../src/journal/journalRecord.js'
import { installFakeClock, type FakeClock } from '../support/fakeClock.js'
import { holdStore } from '../support/holdStore.js'
import { randomId } from '../support/page.js'
import { realDelay } from '../support/waitFor.js'

const SECOND = 1000

const record = (id: string): JournalRecord => ({
  v: 1,
  id,
  createdAt: Date.now(),
  event: { id, type: 'TimeSpentEvent', actor: { id: 'https://sis.example/users/1' } } as JournalRecord['event'],
})

/** The ids stored under `e:` in the database, read with a connection of its own. */
async function storedIds(name: string): Promise<string[]> {
  const all = await entries(createStore(name, 'journal'))
  return all.map(([key]) => String(key)).filter((key) => key.startsWith('e:')).map((key) => key.slice(2)).sort()
}

/** Settles `promise` in real time, or says it is still pending (a call waiting on a deadline). */
const settledSoon = (promise: Promise<unknown>) => Promise.race([promise.then(() => 'settled'), realDelay(500).then(() => 'pending')])

describe('the event journal after IndexedDB stalls', function () {
  this.timeout(60_000)
  let clock: FakeClock
  let journal: EventJournal | undefined
  let name: string
  const releases: Array<() => Promise<void>> = []
  /** `onModeChange` calls: the error's message when lost, 'restored' when back. */
  const changes: string[] = []
  /** Times (fake) at which a connection was opened. */
  const opens: number[] = []
  const factory = { open: (n: string) => (opens.push(clock.now()), indexedDB.open(n)) } as IDBFactory

  beforeEach(() => {
    // A transaction holds up fake time for at most 3 s (real): long enough for a busy machine.
    clock = installFakeClock(undefined, 3 * SECOND)
    name = `test-journal-${randomId()}`
    changes.length = 0
    opens.length = 0
  })
  afterEach(async () => {
    await Promise.all(releases.splice(0).map((release) => release()))
    journal?.close()
    journal = undefined
    clock.uninstall()
  })

  const open = () =>
    (journal = createEventJournal(name, SECOND, (mode, error) => changes.push(mode === 'memory' ? String((error as Error).message) : 'restored'), factory))

  it('goes to memory at the deadline, retries on a backoff, writes back and returns; no timer after', async () => {
    const j = open()
    await j.put([record('a')])
    expect(await storedIds(name)).to.deep.equal(['a'])
    const release = await holdStore(name)
    releases.push(release)
    const stalled = j.put([record('b')])
    await clock.tick(SECOND)
    expect(await settledSoon(stalled), 'the put settles at its deadline').to.equal('settled')
    expect(j.mode()).to.equal('memory')
    expect(changes).to.deep.equal(['IndexedDB timed out'])
    // In memory mode every call settles at once: nothing waits on a deadline.
    expect(await settledSoon(j.put([record('c')]))).to.equal('settled')
    expect(await settledSoon(j.read())).to.equal('settled')
    const down = clock.now()
    opens.length = 0
    await clock.tick(20 * SECOND)
    // Tries 1 s after, then 2 s, 4 s, 8 s after each failed try (each fails at its 1 s deadline).
    expect(opens.map((at) => at - down)).to.deep.equal([1, 4, 9, 18].map((s) => s * SECOND))
    expect(j.mode()).to.equal('memory')
    expect(changes).to.have.length(1)
    releases.pop()
    await release()
    await clock.tick(16 * SECOND)
    expect(j.mode()).to.equal('indexeddb')
    expect(changes).to.deep.equal(['IndexedDB timed out', 'restored'])
    expect(await storedIds(name)).to.deep.equal(['a', 'b', 'c'])
    expect(clock.pending(), 'no timer left in IndexedDB mode').to.equal(0)
    await j.put([record('d')])
    expect(await storedIds(name)).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('late calls land once; a late put of a record acknowledged meanwhile is back only until sent again', async () => {
    const j = open()
    await j.put([record('a'), record('b')])
    const release = await holdStore(name)
    releases.push(release)
    // Queued behind the other transaction, these complete once it ends, after their deadlines.
    const late = [j.put([record('c')]), j.remove(['a'])]
    await clock.tick(SECOND)
    await Promise.all(late)
    expect(j.mode()).to.equal('memory')
    // In memory mode: `c` acknowledged while its put is still queued, `b` refused for good.
    await j.remove(['c'])
    await j.bury([{ v: 1, id: 'b', event: record('b').event, reason: 'refused', at: Date.now() }])
    expect((await j.deadLetters()).map((l) => l.id)).to.deep.equal(['b'])
    releases.pop()
    await release()
    expect(await storedIds(name)).to.deep.equal(['b', 'c'])
    // Nothing to write: nothing is at risk, no try until the next put, which writes back.
    await clock.tick(5 * SECOND)
    expect(j.mode()).to.equal('memory')
    await j.put([record('d')])
    await clock.tick(SECOND)
    expect(j.mode()).to.equal('indexeddb')
    expect(changes).to.deep.equal(['IndexedDB timed out', 'restored'])
    // The dead letter is stored (and its event gone); `c` is read again, so the next flush sends
    // it once more and the proxy answers it as a duplicate: then it goes for good.
    expect(await storedIds(name)).to.deep.equal(['c', 'd'])
    expect((await j.read()).records.map((r) => r.id).sort()).to.deep.equal(['c', 'd'])
    await j.remove(['c', 'd'])
    expect(await storedIds(name)).to.deep.equal([])
    expect((await j.deadLetters()).map((l) => l.id)).to.deep.equal(['b'])
  })

  it('an open checkpoint rewritten in memory mode is written back as its latest version', async () => {
    const j = open()
    const checkpoint = (value: number): JournalRecord => ({ ...record('slice'), open: { owner: 'me', at: value, until: value + 75_000 } })
    await j.put([checkpoint(1)])
    const release = await holdStore(name)
    releases.push(release)
    const late = j.put([checkpoint(2)])
    await clock.tick(SECOND)
    await late
    await j.put([checkpoint(3)])
    releases.pop()
    await release()
    await clock.tick(2 * SECOND)
    expect(j.mode()).to.equal('indexeddb')
    const stored = await entries(createStore(name, 'journal'))
    expect(stored.map(([key, value]) => [key, (value as JournalRecord).open?.at])).to.deep.equal([['e:slice', 3]])
  })

  it('closed (destroy()) during a stall, it tries IndexedDB no more and says nothing more', async () => {
    const j = open()
    await j.put([record('a')])
    const release = await holdStore(name)
    releases.push(release)
    void j.put([record('b')])
    await clock.tick(SECOND) // the put's deadline: memory mode, a try due a second later
    expect(j.mode()).to.equal('memory')
    await clock.tick(SECOND) // the try starts and waits behind the other tab's transaction
    j.close()
    const opened = opens.length
    releases.pop()
    await release()
    await realDelay(100)
    await clock.tick(2 * 60 * SECOND)
    expect(opens.length, 'no connection opened after close()').to.equal(opened)
    expect(changes, 'no storage-restored after close()').to.deep.equal(['IndexedDB timed out'])
  })

  it('a refusal is said once, and tried again only while there is something to write, at most every 30 s', async () => {
    const refusing = {
      open: () => {
        opens.push(clock.now())
        throw new DOMException('The user denied permission to access the database.', 'SecurityError')
      },
    } as unknown as IDBFactory
    const j = (journal = createEventJournal(name, SECOND, (mode) => changes.push(mode === 'memory' ? 'lost' : 'restored'), refusing))
    await j.put([record('a')])
    expect(j.mode()).to.equal('memory')
    expect(opens, 'opened twice (a fresh connection)').to.have.length(2)
    await clock.tick(10 * 60 * SECOND)
    // 1 s, 2 s, 4 s… apart, then every 30 s: 5 tries in the first minute, 18 in the next nine.
    expect(opens.length - 2).to.equal(5 + 18)
    expect(changes).to.deep.equal(['lost'])
    await j.remove(['a'])
    await clock.tick(60 * SECOND)
    expect(clock.pending(), 'nothing to write: no timer').to.equal(0)
    expect(changes).to.deep.equal(['lost'])
  })

})
