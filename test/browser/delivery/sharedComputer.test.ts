// Issue 22: a shared computer. Each student's records, and the delivery token on them, are theirs: another
// student's tracker sends them (with that token) but never shows them, and signing out leaves
// nothing of the student behind.
import { expect } from 'chai'
import { promisifyRequest } from 'idb-keyval'
import { buildTimeSpentEvent } from '../../../src/events/index.js'
import type { TimebackEvent } from '../../../src/events/eventTypes.js'
import { createEventJournal } from '../../../src/journal/eventJournal.js'
import { deadLetter, type JournalRecord } from '../../../src/journal/journalRecord.js'
import { collector } from '../support/collector.js'
import { randomId } from '../support/page.js'
import { MINUTE, SECOND, actor, codes, completeOne, lesson, useTrackerSlot } from '../support/trackerHarness.js'

const student1 = { id: 'https://sis.example/users/111', email: 'first@example.com' }
const object = { ...lesson, app: { name: 'Math App' } }

/** A delivery token as the proxy makes them, for `sub` (the tracker reads only whose it is). */
const tokenFor = (sub: string, session = 'a') =>
  `tbd1.k1.${btoa(JSON.stringify({ sub, session })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.mac`

/** Every key and value in the tracker's IndexedDB store, as another script on the page could read it. */
async function rawEntries(storeName: string): Promise<Array<[string, unknown]>> {
  const db = await promisifyRequest(indexedDB.open(storeName))
  try {
    const store = db.transaction('journal').objectStore('journal')
    const [keys, values] = await Promise.all([promisifyRequest(store.getAllKeys()), promisifyRequest(store.getAll())])
    return keys.map((key, i) => [String(key), values[i]])
  } finally {
    db.close()
  }
}

/** Student 1's work left behind on this computer: two events (each with their token, if given), a dead letter. */
async function leftBySudent1(storeName: string, token?: string): Promise<TimebackEvent[]> {
  const spent = (minutesAgo: number) =>
    buildTimeSpentEvent({ actor: student1, object, items: [{ type: 'active', value: 30 }], startDate: Date.now() - minutesAgo * MINUTE, endDate: Date.now() - minutesAgo * MINUTE + 30 * SECOND })
  const events = [spent(3), spent(2)]
  const refused = spent(10)
  const journal = createEventJournal(storeName, 5000, () => {})
  await journal.put(events.map((event): JournalRecord => ({ v: 1, id: event.id, event, createdAt: Date.now(), token })))
  await journal.bury([deadLetter(refused.id, refused, '[{"path":"","message":"refused by the app"}]', 200)])
  journal.close()
  return events
}

describe('a shared computer', () => {
  const slot = useTrackerSlot()
  const token2 = tokenFor(actor.id)

  it("a tracker for student 2 never shows student 1's events, dead letters or count; without a token they wait", async () => {
    const storeName = `test-${randomId()}`
    const theirs = await leftBySudent1(storeName)
    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    const mine = await completeOne(slot)
    await tracker.flush()
    expect(await tracker.queue()).to.deep.equal([])
    expect(await tracker.deadLetters()).to.deep.equal([])
    expect(tracker.snapshot().queue.pending).to.equal(0)
    const sent = (await sink.received()).flatMap((r) => r.ids)
    expect(sent.sort()).to.deep.equal([...mine].sort())
    // Still stored, for student 1's token or student 1.
    const keys = (await rawEntries(storeName)).map(([key]) => key)
    expect(keys).to.include.members(theirs.map((e) => `e:${e.id}`))
  })

  it("sends student 1's events in their own envelope with their token, and leaves nothing of theirs once acknowledged", async () => {
    const storeName = `test-${randomId()}`
    const theirs = await leftBySudent1(storeName, 'token-of-student-1')
    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    const mine = await completeOne(slot)
    await tracker.flush()
    const requests = (await sink.received()).filter((r) => r.status === 200)
    const envelopes = requests.map((r) => [[...new Set(r.envelope.data.map((e) => e.actor.id))], r.envelope.deliveryToken, r.ids.sort()])
    expect(envelopes, 'one student per envelope, each with their token').to.have.deep.members([
      [[student1.id], 'token-of-student-1', theirs.map((e) => e.id).sort()],
      [[actor.id], undefined, [...mine].sort()],
    ])
    const left = await rawEntries(storeName)
    const ofStudent1 = left.filter(([, value]) => JSON.stringify(value).includes(student1.id))
    // Their dead letter stays for student 1 (it names no more than the id, type and reason).
    expect(ofStudent1.map(([key]) => key.slice(0, 2))).to.deep.equal(['d:'])
    expect(JSON.stringify(ofStudent1)).not.to.include(student1.email)
    expect(JSON.stringify(left)).not.to.include('token-of-student-1')
  })

  it("keeps the token the proxy answers with for this student on the records it writes, and sends it back with the next batch", async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    await sink.script([{ status: 200, deliveryToken: token2 }])
    const tracker = slot.create({ storeName, endpoint: sink.url })
    await completeOne(slot, 0)
    await tracker.flush()
    await sink.rules([{ status: 503 }])
    const next = await completeOne(slot, 1)
    await tracker.flush() // refused with 503: they wait, with the token for whoever sends them
    const stored = new Map(await rawEntries(storeName))
    expect(next.map((id) => (stored.get(`e:${id}`) as JournalRecord).token)).to.deep.equal([token2, token2])
    await sink.clearRules()
    await tracker.flush()
    const tokens = (await sink.received()).map((r) => r.envelope.deliveryToken)
    expect([...new Set(tokens)], 'none before the answer, then every request (the 503 and its retry) with it').to.deep.equal([undefined, token2])
  })

  it('dead letters keep why, not the event (no email, score or extensions)', async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    await sink.rules([{ status: 503 }])
    const ids = await completeOne(slot)
    await tracker.flush() // refused with 503: they wait
    await sink.clearRules()
    await sink.script([{ status: 200, reject: ids }])
    await tracker.flush()
    const letters = await tracker.deadLetters()
    expect(letters.map((l) => [l.id, l.type, l.status, 'event' in l])).to.have.deep.members([
      [ids[0], 'TimeSpentEvent', 200, false],
      [ids[1], 'ActivityEvent', 200, false],
    ])
    const stored = JSON.stringify(await rawEntries(storeName))
    expect(stored).not.to.include(actor.email)
    expect(stored).not.to.include('xpEarned')
  })

  it('signOut() removes what it cannot send (events, token, dead letters, the run) and says what was lost', async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    const first = await completeOne(slot, 0)
    await sink.script([{ status: 200, deliveryToken: token2, reject: [first[1]!] }])
    await tracker.flush()
    expect((await rawEntries(storeName)).map(([key]) => key.slice(0, 2)).sort()).to.deep.equal(['d:'])
    await sink.rules([{ status: 503 }]) // the network is down from here on
    const stranded = await completeOne(slot, 1)
    slot.tracker!.startActivity({ ...lesson, id: `${lesson.id}?part=2` })
    await slot.clock.tick(2 * SECOND)
    const out = await tracker.signOut()
    slot.tracker = undefined // signOut destroyed it
    expect(out.sent).to.deep.equal([])
    expect(out.lost).to.include.members(stranded)
    expect(out.lost).to.have.length(3) // and the running activity's slice
    expect(codes(slot.errors)).to.include('events-lost')
    expect(await rawEntries(storeName)).to.deep.equal([])
    expect(localStorage.getItem(`${storeName}:run`)).to.equal(null)
  })

  it('signOut() with the network up sends everything and loses nothing', async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    const tracker = slot.create({ storeName, endpoint: sink.url })
    await sink.rules([{ status: 503 }])
    const stored = await completeOne(slot, 0)
    await tracker.flush()
    await sink.clearRules()
    const out = await tracker.signOut()
    slot.tracker = undefined
    expect(out.sent.sort()).to.deep.equal([...stored].sort())
    expect(out.lost).to.deep.equal([])
    expect(codes(slot.errors)).not.to.include('events-lost')
    expect(await rawEntries(storeName)).to.deep.equal([])
  })

  it("another student's events the proxy leaves unanswered (outside their token's session) wait, holding up neither a third student nor this page", async () => {
    const storeName = `test-${randomId()}`
    const first = await leftBySudent1(storeName, tokenFor(student1.id))
    const student3 = { id: 'https://sis.example/users/333', email: 'third@example.com' }
    const third = buildTimeSpentEvent({ actor: student3, object, items: [{ type: 'active', value: 30 }], startDate: Date.now() - MINUTE, endDate: Date.now() - 30 * SECOND })
    const journal = createEventJournal(storeName, 5000, () => {})
    await journal.put([{ v: 1, id: third.id, event: third, createdAt: Date.now() + 1, token: tokenFor(student3.id) }])
    journal.close()
    const sink = collector()
    await sink.rules([{ containsId: first[0]!.id, unanswered: true }])
    const tracker = slot.create({ storeName, endpoint: sink.url })
    const mine = await completeOne(slot)
    await tracker.flush()
    const acknowledged = (await sink.received()).filter((r) => r.status === 200 && !r.ids.includes(first[0]!.id)).flatMap((r) => r.ids)
    expect(acknowledged.sort()).to.deep.equal([...mine, third.id].sort())
    expect(tracker.snapshot().lastDelivery?.retryInMs, 'no backoff for another student').to.equal(undefined)
    const keys = (await rawEntries(storeName)).map(([key]) => key)
    expect(keys).to.include.members(first.map((e) => `e:${e.id}`))
  })

  it("keeps no token of another student: a session that moved on answers with theirs", async () => {
    const storeName = `test-${randomId()}`
    const sink = collector()
    await sink.script([{ status: 200, deliveryToken: tokenFor(student1.id) }])
    const tracker = slot.create({ storeName, endpoint: sink.url })
    await completeOne(slot, 0)
    await tracker.flush() // answered for the session, which is student 1's now
    await sink.rules([{ status: 503 }])
    const ids = await completeOne(slot, 1)
    await tracker.flush()
    const stored = new Map(await rawEntries(storeName))
    expect(ids.map((id) => (stored.get(`e:${id}`) as JournalRecord).token)).to.deep.equal([undefined, undefined])
  })

  it("does not send another student's events again with a token the proxy refused", async () => {
    const storeName = `test-${randomId()}`
    const first = await leftBySudent1(storeName, tokenFor(student1.id))
    const sink = collector()
    await sink.rules([{ containsId: first[0]!.id, status: 403 }])
    const tracker = slot.create({ storeName, endpoint: sink.url })
    await completeOne(slot)
    await tracker.flush()
    await tracker.flush()
    const tries = (await sink.received()).filter((r) => r.ids.includes(first[0]!.id))
    expect(tries).to.have.length(1)
  })
})
