// Issue 22: a shared computer. A signed-out student's events are delivered on the strength of
// the delivery token the proxy gave them, and only so: forged, expired, wrong-app or another
// student's tokens are refused with a reason and the events wait; the secret never leaves.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildActivityEvent, buildTimeSpentEvent } from '../../src/events/index.js'
import type { CaliperProxyOptions } from '../../src/proxy/index.js'
import { envelope, student } from './fakePlatform.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

const SECRET_1 = 'first-delivery-secret-0123456789abcdef'
const SECRET_2 = 'second-delivery-secret-0123456789abcdef'
const other = { id: 'https://sis.example/users/456', email: 'other@example.com' }
const third = { id: 'https://sis.example/users/789', email: 'third@example.com' }
const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const SENSOR = 'https://app.example'

/** `seconds` active seconds of `actor` ending at `end`. */
const spent = (actor: typeof student, end: number, seconds = 30) =>
  buildTimeSpentEvent({ actor, object, items: [{ type: 'active', value: seconds }], startDate: end - seconds * 1000, endDate: end })
const completed = (actor: typeof student, at: number, xpEarned = 50) => buildActivityEvent({ actor, object, metrics: { xpEarned }, eventTime: at })

/**
 * A proxy with delivery tokens on a clock the test moves; whoever the `x-user` header names is
 * signed in (none: nobody). Every answer's text and every log line are kept.
 */
function setup(extra: Partial<CaliperProxyOptions> = {}, keys: Record<string, string> = { k1: SECRET_1 }, current = 'k1') {
  const clock = { now: Date.now() }
  const users = new Map([student, other, third].map((u) => [u.id, u]))
  const texts: string[] = []
  const s = setupProxy({
    sensor: SENSOR,
    now: () => clock.now,
    authorize: (request) => users.get(request.headers.get('x-user') ?? '') ?? null,
    deliveryTokens: { keys, current },
    ...extra,
  })
  /** POSTs `data` (with `deliveryToken`) as `as`, dated by the test's clock. */
  const send = async (as: typeof student | undefined, data: unknown[], deliveryToken?: string) => {
    const body = { ...envelope(data), sendTime: new Date(clock.now).toISOString(), ...(deliveryToken ? { deliveryToken } : {}) }
    const got = await answer(await s.proxy(post(body, as ? { 'x-user': as.id } : {})))
    texts.push(got.text)
    return got
  }
  return { ...s, clock, send, texts }
}

/** Student 1's token, from an answer to their own (empty) envelope. */
const tokenFor = async (t: ReturnType<typeof setup>, who = student) => {
  const got = await t.send(who, [])
  assert.equal(got.status, 200)
  assert.equal(typeof got.body.deliveryToken, 'string')
  return got.body.deliveryToken as string
}

describe('22 delivery tokens at the proxy', () => {
  it('answers a signed-in student with their token, an envelope without events too; without the option nothing changes', async () => {
    const t = setup()
    const got = await t.send(student, [])
    assert.deepEqual([got.status, got.body.accepted, got.body.rejected], [200, [], []])
    assert.match(got.body.deliveryToken, /^tbd1\.k1\./)
    const withEvents = await t.send(student, [spent(student, t.clock.now - 1000)])
    assert.equal(withEvents.body.accepted.length, 1)
    assert.match(withEvents.body.deliveryToken, /^tbd1\.k1\./)

    const plain = setupProxy({ authorize: () => student })
    // A page's first exchange (no events) is answered, with the clock and no token.
    const empty = await answer(await plain.proxy(post(envelope([]))))
    assert.deepEqual([empty.status, empty.body.accepted, 'deliveryToken' in empty.body, typeof empty.serverTime], [200, [], false, 'number'])
    const today = await answer(await plain.proxy(post(envelope([spent(student, Date.now() - 1000)]))))
    assert.equal(today.status, 200)
    assert.equal('deliveryToken' in today.body, false)
    const theirs = await answer(await plain.proxy(post({ ...envelope([spent(other, Date.now() - 1000)]), deliveryToken: got.body.deliveryToken })))
    assert.equal(theirs.status, 403)
  })

  it("delivers a signed-out student's events as theirs with their token, whoever is signed in, exactly once and without a new token", async () => {
    const t = setup()
    const token = await tokenFor(t)
    t.clock.now += 60_000
    const work = [spent(student, t.clock.now - 1000, 55), completed(student, t.clock.now)]
    t.clock.now += 5 * 60_000 // signed out; another student signs in; the network comes back
    const got = await t.send(other, work, token)
    assert.equal(got.status, 200)
    assert.deepEqual(got.body.accepted.sort(), work.map((e) => e.id).sort())
    assert.equal('deliveryToken' in got.body, false, 'a token-only request gets no token')
    const again = await t.send(undefined, work, token)
    assert.deepEqual([again.status, again.body.accepted, again.body.duplicates.sort()], [200, [], work.map((e) => e.id).sort()])
    assert.deepEqual(t.platform.storedIds().sort(), work.map((e) => e.id).sort())
    // The token never goes upstream.
    assert.ok(!JSON.stringify(t.platform.received).includes(token))
    assert.ok(t.logs.some((line) => line.startsWith(`user ${student.id} (by delivery token)`)))
  })

  it('refuses a forged, expired or wrong-app token, and one student\'s token on another\'s events, each saying which; the events wait', async () => {
    const t = setup({}, { k1: SECRET_1 })
    const token = await tokenFor(t)
    const [prefix, kid, payload, mac] = token.split('.') as [string, string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = `${prefix}.${kid}.${Buffer.from(JSON.stringify({ ...claims, sub: other.id, email: other.email })).toString('base64url')}.${mac}`
    const otherApp = await tokenFor(setup({ deliveryTokens: { keys: { k1: SECRET_1 }, current: 'k1', app: 'https://elsewhere.example' } }))
    const expiring = setup({ retentionMs: 10 * 60_000 })
    const soonExpired = await tokenFor(expiring)
    const work = [spent(student, t.clock.now - 1000)]
    const cases: Array<[string, ReturnType<typeof setup>, unknown[], string | undefined, string]> = [
      ['forged', t, [spent(other, t.clock.now - 1000)], forged, 'forged signature'],
      ['another app', t, work, otherApp, 'for another app'],
      ["another student's", t, [spent(other, t.clock.now - 1000)], token, 'for another student'],
      ['none', t, work, undefined, 'no delivery token'],
    ]
    for (const [name, proxy, data, given, reason] of cases) {
      const got = await proxy.send(third, data, given)
      assert.equal(got.status, 403, name)
      assert.match(got.body.message, new RegExp(reason), name)
      assert.equal(got.body.accepted, undefined, `${name}: nothing accepted or rejected, the events wait`)
      assert.equal(got.body.rejected, undefined, name)
      // The 403 to a signed-in student carries that student's own token.
      assert.equal(JSON.parse(Buffer.from(got.body.deliveryToken.split('.')[2], 'base64url').toString()).sub, third.id)
    }
    expiring.clock.now += 10 * 60_000
    const expired = await expiring.send(third, [spent(student, expiring.clock.now - 1000)], soonExpired)
    assert.deepEqual([expired.status, expired.body.message], [403, 'these events belong to another student and the delivery token has expired; they wait'])
    // Nobody signed in and no valid token: 401, as before.
    const nobody = await t.send(undefined, work, forged)
    assert.deepEqual([nobody.status, nobody.body.message], [401, 'not signed in, and the delivery token has a forged signature'])
    assert.deepEqual(t.platform.storedIds(), [])
  })

  it('rotates keys: a token of the old key still delivers, new tokens are signed with current', async () => {
    const before = setup({}, { k1: SECRET_1 }, 'k1')
    const old = await tokenFor(before)
    const after = setup({}, { k1: SECRET_1, k2: SECRET_2 }, 'k2')
    after.clock.now = before.clock.now
    const got = await after.send(other, [spent(student, after.clock.now - 1000)], old)
    assert.deepEqual([got.status, got.body.accepted.length], [200, 1])
    assert.match(await tokenFor(after), /^tbd1\.k2\./)
    const dropped = setup({}, { k2: SECRET_2 }, 'k2')
    dropped.clock.now = before.clock.now
    const refused = await dropped.send(other, [spent(student, dropped.clock.now - 2000)], old)
    assert.deepEqual([refused.status, refused.body.message], [403, 'these events belong to another student and the delivery token is signed with an unknown key; they wait'])
  })

  it('takes only events dated within the session the token covers; the rest are left out of the answer and wait', async () => {
    const t = setup({ clockSkewMs: 60_000, deliveryTokens: { keys: { k1: SECRET_1 }, current: 'k1', coverMs: 120_000 } })
    const start = t.clock.now
    const token = await tokenFor(t) // covers [start − 60 s, start + 120 s]
    t.clock.now += 10 * 60_000
    const inside = spent(student, start + 100_000)
    const after = spent(student, start + 125_000, 20) // ends after the cover
    const before = spent(student, start - 61_000, 10) // starts before the session
    const got = await t.send(other, [inside, after, before], token)
    assert.equal(got.status, 200)
    assert.deepEqual([got.body.accepted, got.body.duplicates, got.body.rejected], [[inside.id], [], []])
    assert.deepEqual(t.platform.storedIds(), [inside.id])
  })

  it("keeps the session's since while the student keeps exchanging, so a later token still covers the session's start", async () => {
    const t = setup({ clockSkewMs: 60_000 })
    const start = t.clock.now
    let token = await tokenFor(t)
    for (let i = 0; i < 5; i++) {
      t.clock.now += 60_000
      const got = await t.send(student, [spent(student, t.clock.now - 1000, 50)], token)
      token = got.body.deliveryToken
    }
    const claims = JSON.parse(Buffer.from(token.split('.')[2]!, 'base64url').toString())
    assert.equal(claims.since, start - 60_000)
    assert.equal(claims.until, t.clock.now + 120_000)
  })

  it("checks the token's student as their own: their time budget and acceptEvent", async () => {
    const seen: string[] = []
    const t = setup({ acceptEvent: (event, user) => (seen.push(user.id), event.type === 'TimeSpentEvent' || 'no XP from here') })
    const token = await tokenFor(t)
    const first = spent(student, t.clock.now - 1000, 30)
    assert.equal((await t.send(student, [first])).body.accepted.length, 1)
    // The same 30 s again under another id: the token's student's budget has them already.
    const copy = spent(student, t.clock.now - 1000, 30)
    const got = await t.send(other, [copy, completed(student, t.clock.now - 500)], token)
    assert.equal(got.body.notCredited[0].id, copy.id)
    assert.ok(got.body.notCredited[0].seconds >= 29, 'all but the budget\'s 1 s of rounding')
    assert.match(got.body.rejected[0].errors[0].message, /no XP from here/)
    assert.deepEqual([...new Set(seen)], [student.id])
  })

  it('never puts a secret in an answer or a log line', async () => {
    const t = setup({}, { k1: SECRET_1, k2: SECRET_2 }, 'k2')
    const token = await tokenFor(t)
    await t.send(other, [spent(student, t.clock.now - 1000)], token)
    await t.send(third, [spent(student, t.clock.now - 2000)], token.slice(0, -3) + 'AAA')
    await t.send(undefined, [spent(student, t.clock.now - 3000)])
    await t.send(student, [{ broken: true }], token)
    const everything = [...t.texts, ...t.logs].join('\n')
    for (const secret of [SECRET_1, SECRET_2]) {
      assert.ok(!everything.includes(secret))
      assert.ok(!everything.includes(Buffer.from(secret).toString('base64url')))
    }
    assert.throws(() => setup({}, { k1: 'too-short' }), (e: Error) => e instanceof TypeError && !e.message.includes('too-short'))
  })

  it('covers no further back than what the answer left unsettled: a delivered backlog does not widen a copied token', async () => {
    const t = setup()
    const DAY = 24 * 3_600_000
    // The student's own request carries a 29-day-old backlog, which is delivered.
    const backlog = await t.send(student, [spent(student, t.clock.now - 29 * DAY)])
    assert.equal(backlog.body.accepted.length, 1)
    const copied = backlog.body.deliveryToken as string
    // A copy of that token, with nobody signed in, cannot add work dated ten days ago.
    const forged = await t.send(undefined, [spent(student, t.clock.now - 10 * DAY, 3000)], copied)
    assert.deepEqual(forged.body.accepted ?? [], [])
    assert.equal(t.platform.storedIds().length, 1)
  })
})

