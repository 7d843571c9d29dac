// Which format each stored record is written in. Open checkpoints are format 2 (their liveness
// is a promise a version-1 tab would misread); everything else, sealed checkpoints included, is
// format 1, which every version reads: rolling the app back strands no slice or completion.
import { expect } from 'chai'
import { createStore, entries } from 'idb-keyval'
import { createIdbJournal } from '../../../src/journal/idbJournal.js'
import type { JournalRecord } from '../../../src/journal/journalRecord.js'
import { collector } from '../support/collector.js'
import { randomId } from '../support/page.js'
import { SECOND, lesson, useTrackerSlot, work } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const formats = async (store: string) =>
  (await entries(createStore(store, 'journal'))).map(([key, value]) => [String(key).slice(0, 2), !!(value as JournalRecord).open, (value as JournalRecord).v])

describe('stored record formats', () => {
  const slot = useTrackerSlot()

  it('an open checkpoint is format 2; closed slices and completions are format 1', async () => {
    const sink = collector()
    await sink.rules([{ status: 503 }]) // keep everything stored
    const storeName = `test-${randomId()}`
    const tracker = slot.create({ endpoint: sink.url, storeName })
    const activity = tracker.startActivity(lesson)
    await work(slot.clock, 7)
    await waitFor(async () => (await formats(storeName)).length === 1, 'a checkpoint stored')
    expect(await formats(storeName)).to.deep.equal([['e:', true, 2]])
    await activity.complete({ xpEarned: 5 })
    const stored = await formats(storeName)
    expect(stored).to.have.length(2)
    expect(stored.every(([, open, v]) => !open && v === 1), JSON.stringify(stored)).to.equal(true)
  })

  it('a sealed checkpoint is format 1', async () => {
    const name = `test-${randomId()}`
    const journal = createIdbJournal(name)
    const record = { v: 2, id: 'x', createdAt: 0, open: { owner: 'gone', at: 0, until: 1 }, event: { id: 'x', type: 'TimeSpentEvent', actor: { id: 'a' } } }
    await journal.put([record as unknown as JournalRecord])
    expect(await journal.seal('x')).to.equal(true)
    expect(await formats(name)).to.deep.equal([['e:', false, 1]])
    journal.close()
    await slot.clock.tick(SECOND)
  })
})
