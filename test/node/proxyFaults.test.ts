// The proxy under partial failures (issue 10): each test names the defect it pins down.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryLedger, type CaliperLedger } from '../../src/proxy/index.js'
import { completed, envelope, student, timeSpent } from './fakePlatform.js'
import { answer, post, setupProxy as setup } from './support/proxySetup.js'

const times = (list: string[], id: string) => list.filter((x) => x === id).length

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5))
  assert.ok(condition(), `timed out waiting for ${what}`)
}

describe('partial failures', () => {
  it('2. after an upstream 400, ids the platform took one by one are committed at once; a later failure releases only the rest', async () => {
    const s = setup()
    const events = [timeSpent(), completed(), timeSpent(), completed(), timeSpent()]
    s.platform.refuse.add(events[1]!.id)
    // the envelope (400 for events[1]), then one at a time: 0 ok, 1 refused, 2 ok, 3 fails with 500
    s.platform.script.push(200, 200, 200, 200, 500)
    assert.equal((await s.proxy(post(envelope(events)))).status, 503)
    s.platform.refuse.clear()
    const resend = await answer(await s.proxy(post(envelope(events))))
    assert.equal(resend.status, 200)
    assert.deepEqual(resend.body.duplicates.sort(), [events[0]!.id, events[2]!.id].sort())
    for (const event of events) assert.equal(times(s.platform.storedIds(), event.id), 1, `${event.id} stored once`)
  })

  it('3. a slow token endpoint is given up on (503), instead of holding claims forever', async () => {
    const s = setup({ tokenTimeoutMs: 50 })
    s.platform.tokenDelayMs = 60_000
    const response = await s.proxy(post(envelope([timeSpent()])))
    assert.equal(response.status, 503)
  })

  it('3. the claim is renewed while the platform is slow: a resend meanwhile is not forwarded', async () => {
    let offset = 0
    const inner = createMemoryLedger({ now: () => Date.now() + offset })
    let renewals = 0
    const ledger: CaliperLedger = { ...inner, renew: (...args) => (renewals++, inner.renew(...args)) }
    const s = setup({ ledger, claimLeaseMs: 300 })
    let arrived = false
    let release = () => {}
    s.platform.beforeAnswer = () => ((arrived = true), new Promise<void>((resolve) => (release = resolve)))
    const event = completed()
    const first = s.proxy(post(envelope([event])))
    await until(() => arrived, 'the platform to receive the event')
    offset += 61_000 // longer than any fixed lease: only renewal keeps the claim
    const seen = renewals
    await until(() => renewals > seen, 'a renewal')
    s.platform.beforeAnswer = undefined
    const resend = await answer(await s.proxy(post(envelope([event]))))
    assert.deepEqual(resend.body.accepted, [])
    release()
    assert.deepEqual((await answer(await first)).body.accepted, [event.id])
    assert.equal(times(s.platform.storedIds(), event.id), 1)
  })

  for (const status of [404, 405, 409, 413]) {
    it(`4. an upstream ${status} is about the set-up, not the events: 502 with Retry-After, nothing rejected`, async () => {
      const s = setup()
      s.platform.script.push(status)
      const events = [timeSpent(), completed()]
      const response = await answer(await s.proxy(post(envelope(events))))
      assert.equal(response.status, 502)
      assert.ok(response.headers.get('retry-after'))
      assert.equal(response.body.rejected, undefined)
      assert.ok(s.logs.some((l) => l.startsWith('ERROR') && l.includes(String(status))), 'logged loudly')
      const later = await answer(await s.proxy(post(envelope(events))))
      assert.deepEqual(later.body.accepted, events.map((e) => e.id))
    })
  }

  it("5. another student's events (a shared computer) wait for their student: never rejected", async () => {
    const s = setup()
    const mine = timeSpent()
    const theirs = timeSpent({ id: 'https://sis.example/users/999', email: 'other@example.com' })
    const wrongEmail = timeSpent({ id: student.id, email: 'someone.else@example.com' })
    const mixed = await answer(await s.proxy(post(envelope([mine, theirs, wrongEmail]))))
    assert.equal(mixed.status, 200)
    assert.deepEqual(mixed.body, { status: 'success', accepted: [mine.id], duplicates: [], rejected: [] })
    const onlyTheirs = await answer(await s.proxy(post(envelope([theirs]))))
    assert.equal(onlyTheirs.status, 403) // the tracker pauses and keeps them
    assert.equal(s.platform.storedIds().length, 1)
  })

  it('6. a body of 30,000 bad items gets an answer of a few KB, naming the event', async () => {
    const s = setup()
    const event = timeSpent()
    const huge = { ...event, generated: { ...event.generated, items: Array.from({ length: 30_000 }, () => ({ type: 'bogus', value: -1 })) } }
    const body = JSON.stringify(envelope([huge]))
    assert.ok(body.length > 800_000)
    const response = await answer(await s.proxy(post(body)))
    assert.equal(response.status, 200)
    assert.ok(response.text.length < 4096, `answer of ${response.text.length} bytes`)
    assert.equal(response.body.rejected[0].id, event.id)
  })

  it('6. issues are capped per event and per request', async () => {
    const s = setup()
    const bad = (n: number) => ({ ...timeSpent(), generated: { ...timeSpent().generated, items: Array.from({ length: n }, () => ({ type: 'bogus', value: -1 })) } })
    const events = Array.from({ length: 200 }, () => bad(50))
    const response = await answer(await s.proxy(post(envelope(events))))
    assert.equal(response.body.rejected.length, 200)
    const issues = response.body.rejected.flatMap((r: { errors: unknown[] }) => r.errors)
    assert.ok(response.body.rejected.every((r: { errors: unknown[] }) => r.errors.length <= 6))
    assert.ok(issues.length <= 100 + 200, `${issues.length} issues`)
  })
})

describe('outcome in doubt (7)', () => {
  for (const loss of ['stored-then-drop', 'stored-then-hang'] as const) {
    it(`${loss}: the ids are held, then looked up, and reach the platform once`, async () => {
      // Resends in a tight loop until the hold ends: no per-student rate limit here.
      const s = setup({ upstreamTimeoutMs: 100, inDoubtHoldMs: 200, lookup: (ids) => s.platform.lookup(ids), rateLimit: false })
      s.platform.script.push(loss)
      const event = completed()
      const first = await s.proxy(post(envelope([event])))
      assert.equal(first.status, 503)
      const soon = await answer(await s.proxy(post(envelope([event]))))
      assert.deepEqual([soon.body.accepted, soon.body.duplicates], [[], []], 'held, not forwarded again at once')
      let later: Awaited<ReturnType<typeof answer>>
      do later = await answer(await s.proxy(post(envelope([event]))))
      while (!later.body.duplicates.length && !later.body.accepted.length)
      assert.deepEqual(later.body.duplicates, [event.id])
      assert.equal(times(s.platform.storedIds(), event.id), 1)
      assert.ok(s.metrics.some((m) => m.name === 'events' && m.outcome === 'in-doubt'))
    })
  }

  it('without a lookup, an id in doubt is forwarded again only after the hold (the documented window)', async () => {
    let now = 1_000_000
    const s = setup({ upstreamTimeoutMs: 100, inDoubtHoldMs: 600_000, ledger: createMemoryLedger({ now: () => now }) })
    s.platform.script.push('stored-then-drop')
    const event = completed()
    await s.proxy(post(envelope([event])))
    now += 599_000
    assert.deepEqual((await answer(await s.proxy(post(envelope([event]))))).body.accepted, [])
    now += 2000
    assert.deepEqual((await answer(await s.proxy(post(envelope([event]))))).body.accepted, [event.id])
    assert.ok(s.logs.some((l) => /in doubt/.test(l)))
  })
})

describe('smaller defects (11)', () => {
  it("the platform's error bodies never reach the browser", async () => {
    const s = setup()
    const event = completed()
    s.platform.refuse.add(event.id)
    const realFetch = s.platform.fetch
    const echoing: typeof fetch = async (input, init) => {
      const response = await realFetch(input, init)
      if (response.status !== 400) return response
      return Response.json({ message: `bad; you sent ${new Headers(init?.headers).get('authorization')}`, errors: ['echo'] }, { status: 400 })
    }
    const { proxy } = setup({ fetch: echoing })
    const { text, body } = await answer(await proxy(post(envelope([event]))))
    assert.equal(body.rejected[0].id, event.id)
    assert.ok(!/bearer|tok-|echo/i.test(text), text)
  })

  it('a token that lives 60 s or less is still reused, not fetched per request', async () => {
    const s = setup()
    s.platform.tokenLifetimeSeconds = 30
    for (let i = 0; i < 5; i++) await s.proxy(post(envelope([timeSpent()])))
    assert.equal(s.platform.tokenRequests, 1)
    assert.deepEqual(s.metrics.filter((m) => m.name === 'token').length, 1)
  })

  it('ids differing only in case are one id (the id check accepts both)', async () => {
    const s = setup()
    const event = completed()
    await s.proxy(post(envelope([event])))
    const shouted = { ...event, id: event.id.toUpperCase().replace('URN:UUID:', 'urn:uuid:') }
    const { body } = await answer(await s.proxy(post(envelope([shouted]))))
    assert.deepEqual(body.duplicates, [shouted.id])
    assert.equal(s.platform.storedIds().length, 1)
  })

  it('metrics: accepted, duplicate, rejected counts and upstream status with timing', async () => {
    const s = setup()
    const event = completed()
    await s.proxy(post(envelope([event])))
    await s.proxy(post(envelope([event, { ...timeSpent(), profile: 'nope' }])))
    const events = s.metrics.filter((m) => m.name === 'events')
    assert.deepEqual(events, [
      { name: 'events', outcome: 'accepted', count: 1 },
      { name: 'events', outcome: 'duplicate', count: 1 },
      { name: 'events', outcome: 'rejected', count: 1 },
    ])
    const upstream = s.metrics.find((m) => m.name === 'upstream')
    assert.ok(upstream && upstream.status === 200 && upstream.ms >= 0)
  })
})
