// Issue 19 §1: events a proxy refused for their dates alone, before it corrected dates by the
// envelope's sendTime, get one more try once the proxy is seen to correct (an answer carries
// serverTime). Other dead letters stay where they are.
import { expect } from 'chai'
import { buildTimeSpentEvent } from '../../../src/events/index.js'
import { createEventJournal } from '../../../src/journal/eventJournal.js'
import { deadLetter } from '../../../src/journal/journalRecord.js'
import { collector } from '../support/collector.js'
import { randomId } from '../support/page.js'
import { MINUTE, actor, completeOne, lesson, useTrackerSlot } from '../support/trackerHarness.js'

const object = { ...lesson, app: { name: 'Math App' } }
const reason = (...messages: string[]) => JSON.stringify(messages.map((message, i) => ({ path: i ? 'generated.items[0].endDate' : 'eventTime', message })))

describe('dead letters of a wrong device clock', () => {
  const slot = useTrackerSlot()

  it('go back to the journal once a proxy answers with serverTime, and are delivered', async () => {
    const storeName = `test-${randomId()}`
    const spent = (minutesAgo: number) =>
      buildTimeSpentEvent({ actor, object, items: [{ type: 'active', value: 30 }], startDate: Date.now() - minutesAgo * MINUTE, endDate: Date.now() - minutesAgo * MINUTE + 30_000 })
    const future = spent(10)
    const old = spent(20)
    const corrected = spent(30) // refused by a proxy that corrected: not the clock's doing
    const invalid = spent(40)
    const journal = createEventJournal(storeName, 5000, () => {})
    await journal.bury([
      deadLetter(future.id, future, reason('is in the future', 'is in the future'), 200),
      deadLetter(old.id, old, reason('is older than the retention period'), 200),
      deadLetter(corrected.id, corrected, reason("is in the future (by its envelope's sendTime)"), 200),
      deadLetter(invalid.id, invalid, reason('is in the future', 'must be after startDate'), 200),
    ])
    journal.close()

    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    // A proxy without serverTime: nothing goes back.
    await completeOne(slot, 0)
    await tracker.flush()
    expect((await tracker.deadLetters()).length).to.equal(4)
    // Its first answer with serverTime, then the next flush tries the clock's dead letters again.
    await sink.script([{ status: 200, serverTime: true }])
    await completeOne(slot, 1)
    await tracker.flush()
    await tracker.flush()
    const left = (await tracker.deadLetters()).map((l) => l.id).sort()
    expect(left).to.deep.equal([corrected.id, invalid.id].sort())
    const counts = await sink.deliveredCounts()
    expect(counts.get(future.id)).to.equal(1)
    expect(counts.get(old.id)).to.equal(1)
    expect(counts.has(corrected.id)).to.equal(false)
    expect((await tracker.queue()).length).to.equal(0)
  })
})
