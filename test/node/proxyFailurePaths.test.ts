// Issue 20 §3: the pipeline's failure paths, found by review. Each test names the defect it pins
// down (numbered as in the list for the pipeline) and was seen failing on the code before
// its fix.
import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, it } from 'node:test'
import { buildTimeSpentEvent } from '../../src/events/index.js'
import { createMemoryLedger, type TimeBudget } from '../../src/proxy/index.js'
import { completed, envelope, student } from './fakePlatform.js'
import { ORIGIN, answer, post, setupProxy as setup } from './support/proxySetup.js'

const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const MIN = 60_000

/** A minute of active time between `end − 1 min` and `end`. */
const minuteEndingAt = (end: number) =>
  buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 60 }], startDate: end - MIN, endDate: end })

/** The memory ledger's budget, whose next `failures` calls of `method` throw. */
const failingBudget = (method: keyof TimeBudget, failures: number) => {
  const ledger = createMemoryLedger()
  let left = failures
  const calls: string[][] = []
  const budget: TimeBudget = {
    reserveTime: (student, claims) => {
      if (method === 'reserveTime' && left-- > 0) return Promise.reject(new Error('budget store down'))
      return ledger.reserveTime(student, claims)
    },
    releaseTime: (student, ids) => {
      calls.push(ids)
      if (method === 'releaseTime' && left-- > 0) return Promise.reject(new Error('budget store down'))
      return ledger.releaseTime(student, ids)
    },
  }
  return { ledger, budget, releases: calls }
}

describe('1. a failed budget release after forwarding', () => {
  it('frees only the time of events the platform did not take: a later event is not credited the same minute again', async () => {
    const { ledger, budget, releases } = failingBudget('releaseTime', 1)
    const s = setup({ ledger, timeBudget: budget })
    const now = Date.now()
    const taken = minuteEndingAt(now)
    const refused = minuteEndingAt(now - 5 * MIN)
    s.platform.refuse.add(refused.id) // the envelope is refused, then each event alone: one 200, one 400
    await s.proxy(post(envelope([taken, refused])))
    assert.deepEqual(s.platform.storedIds(), [taken.id])
    assert.ok(releases.flat().every((id) => id !== taken.id), `released ${JSON.stringify(releases)}`)
    const again = minuteEndingAt(now)
    const { body } = await answer(await s.proxy(post(envelope([again]))))
    assert.deepEqual(body.notCredited, [{ id: again.id, seconds: 59 }], 'the minute was credited to the accepted event')
  })

  it('sibling: an answer lost (in doubt) keeps its time too when the release of the others fails', async () => {
    const { ledger, budget } = failingBudget('releaseTime', 1)
    const s = setup({ ledger, timeBudget: budget, upstreamTimeoutMs: 100 })
    const now = Date.now()
    const lost = minuteEndingAt(now)
    const refused = minuteEndingAt(now - 5 * MIN)
    s.platform.refuse.add(refused.id)
    // The envelope: 400; alone: the first stored and its answer lost, the other refused.
    s.platform.script.push(200, 'stored-then-drop')
    await s.proxy(post(envelope([lost, refused])))
    assert.deepEqual(s.platform.storedIds(), [lost.id])
    const again = minuteEndingAt(now)
    const { body } = await answer(await s.proxy(post(envelope([again]))))
    assert.deepEqual(body.notCredited, [{ id: again.id, seconds: 59 }])
  })
})

describe('2. when the pipeline fails before anything is sent', () => {
  for (const [what, options] of [
    ['acceptEvent throws', (fail: () => boolean) => ({ acceptEvent: () => (fail() ? Promise.reject(new Error('app rules down')) : true) })],
    ['the time budget fails', () => failingBudget('reserveTime', 1)],
  ] as const) {
    it(`${what}: the claims are released, so a resend goes at once and is not "in doubt"`, async () => {
      let now = Date.now()
      let failures = 1
      const lookups: string[][] = []
      const extra = options(() => failures-- > 0)
      const s = setup({
        ledger: createMemoryLedger({ now: () => now }),
        ...('budget' in extra ? { timeBudget: extra.budget } : extra),
        lookup: async (ids) => (lookups.push(ids), []),
      })
      const event = minuteEndingAt(now)
      assert.equal((await s.proxy(post(envelope([event])))).status, 500)
      assert.deepEqual((await answer(await s.proxy(post(envelope([event]))))).body.accepted, [event.id], 'not held by a dead claim')
      now += 2 * MIN // past any lease: nothing of the failed request is left to be doubted
      const other = completed()
      assert.deepEqual((await answer(await s.proxy(post(envelope([other]))))).body.accepted, [other.id])
      assert.deepEqual(lookups, [], 'no lookup: the failed attempt sent nothing')
      assert.ok(!s.logs.some((l) => /attempt is in doubt/.test(l)), s.logs.join('\n'))
      assert.deepEqual(s.platform.storedIds(), [event.id, other.id])
    })
  }

  it('sibling: the same through proxy.send', async () => {
    let fail = true
    const s = setup({ sensor: 'https://app.example', acceptEvent: () => (fail ? ((fail = false), Promise.reject(new Error('down'))) : true) })
    const xp = completed()
    await assert.rejects(s.proxy.send([xp], student), /down/)
    assert.deepEqual((await s.proxy.send([xp], student)).accepted, [xp.id])
  })
})

describe('3. proxy.send lists every event it does not forward', () => {
  it("an event with the user's id but another email is rejected, not dropped", async () => {
    const { proxy, platform } = setup({ sensor: 'https://app.example' })
    const mine = completed()
    const wrongEmail = completed({ id: student.id, email: 'someone.else@example.com' })
    const outcome = await proxy.send([mine, wrongEmail], student)
    assert.deepEqual(outcome.accepted, [mine.id])
    assert.deepEqual(outcome.rejected, [{ id: wrongEmail.id, errors: [{ path: 'actor', message: 'is not the user given to proxy.send' }] }])
    assert.deepEqual(platform.storedIds(), [mine.id])
  })

  it("sibling: an invalid event of another actor is listed once, with what is wrong with it", async () => {
    const { proxy } = setup({ sensor: 'https://app.example' })
    const theirs = { ...completed({ id: 'https://sis.example/users/456', email: 'other@example.com' }), profile: 'nope' }
    const outcome = await proxy.send([theirs], student)
    assert.deepEqual(outcome.rejected.map((r) => r.id), [theirs.id])
    assert.equal(outcome.rejected[0]!.errors[0]!.path, 'profile')
  })
})

describe('4. metrics', () => {
  it('an acceptEvent refusal counts as rejected, not also as deferred', async () => {
    const s = setup({ acceptEvent: (event) => event.type !== 'ActivityEvent' || 'no XP today' })
    const time = minuteEndingAt(Date.now())
    await s.proxy(post(envelope([time, completed()])))
    assert.deepEqual(s.metrics.filter((m) => m.name === 'events'), [
      { name: 'events', outcome: 'accepted', count: 1 },
      { name: 'events', outcome: 'rejected', count: 1 },
    ])
  })

  it('sibling: events held by another request are deferred, and only they', async () => {
    const s = setup()
    const event = completed()
    let release = () => {}
    s.platform.beforeAnswer = () => new Promise<void>((resolve) => (release = resolve))
    const first = s.proxy(post(envelope([event])))
    while (!s.platform.calls) await new Promise((r) => setTimeout(r, 1))
    s.platform.beforeAnswer = undefined
    const refused = { ...completed(), profile: 'nope' }
    await s.proxy(post(envelope([event, refused])))
    release()
    await first
    assert.deepEqual(s.metrics.filter((m) => m.name === 'events'), [
      { name: 'events', outcome: 'rejected', count: 1 },
      { name: 'events', outcome: 'deferred', count: 1 },
      { name: 'events', outcome: 'accepted', count: 1 },
    ])
  })
})

describe('5. the Node adapter', () => {
  let server: Server | undefined
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  it('writes every Set-Cookie header of a Response from authorize', async () => {
    const refusal = new Response('{"status":"error","message":"session renewed; sign in again"}', { status: 401 })
    refusal.headers.append('set-cookie', 'session=; Max-Age=0; Path=/')
    refusal.headers.append('set-cookie', 'csrf=; Max-Age=0; Path=/')
    const { proxy } = setup({ authorize: () => refusal })
    server = createServer(proxy.node)
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const cookies = await new Promise<string[] | undefined>((resolve, reject) => {
      const body = JSON.stringify(envelope([completed()]))
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/caliper', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.headers['set-cookie']))
      })
      req.on('error', reject)
      req.end(body)
    })
    assert.deepEqual(cookies, ['session=; Max-Age=0; Path=/', 'csrf=; Max-Age=0; Path=/'])
  })

  it('sibling: the fetch-standard handler passes the Response on as it is', async () => {
    const refusal = new Response(null, { status: 403 })
    refusal.headers.append('set-cookie', 'a=1')
    refusal.headers.append('set-cookie', 'b=2')
    const { proxy } = setup({ authorize: () => refusal })
    const response = await proxy(post(envelope([completed()]), { origin: ORIGIN }))
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2'])
  })
})
