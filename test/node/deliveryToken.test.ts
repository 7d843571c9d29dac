// Issue 22: the delivery token on its own (signing, checking, rotation, the session it covers).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildTimeSpentEvent } from '../../src/events/index.js'
import { createDeliveryTokens, withinToken, type DeliveryClaims } from '../../src/proxy/pipeline/deliveryToken.js'
import { student } from './fakePlatform.js'

const SECRET_A = 'a'.repeat(32) + '-first-secret'
const SECRET_B = 'b'.repeat(32) + '-second-secret'
const APP = 'https://app.example'
const limits = { clockSkewMs: 120_000, retentionMs: 30 * 86_400_000 }
const T0 = Date.parse('2026-12-04T10:00:00Z')

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[2]!, 'base64url').toString()) as DeliveryClaims

describe('22 delivery tokens', () => {
  it('signs tbd1.<kid>.<claims>.<mac> and verifies it, for the student, the app and the session', async () => {
    const tokens = createDeliveryTokens({ keys: { k1: SECRET_A }, current: 'k1' }, limits)
    const token = await tokens.issue(student, APP, T0, T0 - 5_000)
    assert.match(token, /^tbd1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    assert.deepEqual(claimsOf(token), { sub: student.id, email: student.email, app: APP, since: T0 - 5_000, until: T0 + 180_000, exp: T0 + limits.retentionMs })
    assert.deepEqual(await tokens.verify(token, APP, T0 + 1000), { ok: true, claims: claimsOf(token) })
    assert.ok(!token.includes(SECRET_A))
  })

  it('refuses a forged signature, a changed payload, an unknown key, a malformed or missing token, each saying which', async () => {
    const tokens = createDeliveryTokens({ keys: { k1: SECRET_A }, current: 'k1' }, limits)
    const token = await tokens.issue(student, APP, T0, T0)
    const [prefix, kid, payload, mac] = token.split('.') as [string, string, string, string]
    const forgedMac = mac.slice(0, -2) + (mac.endsWith('AA') ? 'BB' : 'AA')
    const other = Buffer.from(JSON.stringify({ ...claimsOf(token), sub: 'https://sis.example/users/999' })).toString('base64url')
    const bySelf = await createDeliveryTokens({ keys: { k1: 'x'.repeat(40) }, current: 'k1' }, limits).issue(student, APP, T0, T0)
    const reasons = await Promise.all(
      [`${prefix}.${kid}.${payload}.${forgedMac}`, `${prefix}.${kid}.${other}.${mac}`, bySelf].map(async (t) => tokens.verify(t, APP, T0)),
    )
    assert.deepEqual(reasons, Array(3).fill({ ok: false, reason: 'the delivery token has a forged signature' }))
    assert.deepEqual(await tokens.verify(`${prefix}.k9.${payload}.${mac}`, APP, T0), { ok: false, reason: 'the delivery token is signed with an unknown key' })
    assert.deepEqual(await tokens.verify('tbd1.k1.%%%.@@', APP, T0), { ok: false, reason: 'the delivery token is malformed' })
    assert.deepEqual(await tokens.verify(undefined, APP, T0), { ok: false, reason: 'no delivery token' })
  })

  it('refuses an expired token and one for another app', async () => {
    const tokens = createDeliveryTokens({ keys: { k1: SECRET_A }, current: 'k1' }, { ...limits, retentionMs: 60_000 })
    const token = await tokens.issue(student, APP, T0, T0)
    assert.equal((await tokens.verify(token, APP, T0 + 59_999)).ok, true)
    assert.deepEqual(await tokens.verify(token, APP, T0 + 60_000), { ok: false, reason: 'the delivery token has expired' })
    assert.deepEqual(await tokens.verify(token, 'https://other.example', T0), { ok: false, reason: 'the delivery token is for another app' })
  })

  it('rotates keys: tokens of the old key still verify, new ones are signed with current', async () => {
    const before = createDeliveryTokens({ keys: { k1: SECRET_A }, current: 'k1' }, limits)
    const old = await before.issue(student, APP, T0, T0)
    const after = createDeliveryTokens({ keys: { k1: SECRET_A, k2: SECRET_B }, current: 'k2' }, limits)
    assert.equal((await after.verify(old, APP, T0)).ok, true)
    const fresh = await after.issue(student, APP, T0, T0)
    assert.equal(fresh.split('.')[1], 'k2')
    assert.equal((await after.verify(fresh, APP, T0)).ok, true)
    // Once k1 is dropped, its tokens are refused.
    const dropped = createDeliveryTokens({ keys: { k2: SECRET_B }, current: 'k2' }, limits)
    assert.deepEqual(await dropped.verify(old, APP, T0), { ok: false, reason: 'the delivery token is signed with an unknown key' })
  })

  it('names every bad option, never a secret', () => {
    assert.throws(
      () => createDeliveryTokens({ keys: { 'bad.id': SECRET_A, k2: 'short-secret' }, current: 'k3', coverMs: -1, sessionGapMs: Number.NaN }, limits),
      (error: Error) => {
        assert.ok(error instanceof TypeError)
        for (const field of ['keys: a key id (6 characters)', 'keys["k2"]: the secret must', 'deliveryTokens.current', 'deliveryTokens.coverMs', 'deliveryTokens.sessionGapMs']) {
          assert.ok(error.message.includes(field), `${field} in ${error.message}`)
        }
        assert.ok(!error.message.includes('short-secret') && !error.message.includes(SECRET_A))
        return true
      },
    )
  })

  it('keeps a session\'s since while the student keeps exchanging, starts a new one after the gap, never before retention', () => {
    const tokens = createDeliveryTokens({ keys: { k1: SECRET_A }, current: 'k1', sessionGapMs: 60_000 }, limits)
    const presented: DeliveryClaims = { sub: student.id, app: APP, since: T0 - 600_000, until: T0 - 30_000, exp: T0 + 1 }
    assert.equal(tokens.sinceFor(presented, student.id, [], T0), T0 - 600_000)
    assert.equal(tokens.sinceFor({ ...presented, until: T0 - 61_000 }, student.id, [], T0), T0 - 120_000)
    assert.equal(tokens.sinceFor(presented, 'https://sis.example/users/999', [], T0), T0 - 120_000)
    const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
    const event = buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 10 }], startDate: T0 - 20_000, endDate: T0 - 10_000 })
    assert.equal(tokens.sinceFor(undefined, student.id, [event], T0), T0 - 20_000 - 120_000)
    assert.equal(tokens.sinceFor(undefined, student.id, [event], T0 + limits.retentionMs + 10_000_000), T0 + 10_000_000)
    assert.equal(withinToken(event, { ...presented, since: T0 - 20_000, until: T0 - 10_000 }), true)
    assert.equal(withinToken(event, { ...presented, since: T0 - 19_999, until: T0 }), false)
    assert.equal(withinToken(event, { ...presented, since: T0 - 30_000, until: T0 - 10_001 }), false)
  })
})
