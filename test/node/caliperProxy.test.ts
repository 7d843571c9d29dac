import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createMemoryLedger, createSqliteLedger, createTokenSource } from '../../src/proxy/index.js'
import { CLIENT_ID, CLIENT_SECRET, TOKEN_URL, completed, createFakePlatform, envelope, timeSpent } from './fakePlatform.js'
import { ORIGIN, answer, post, setupProxy as setup } from './support/proxySetup.js'

describe('token cache', () => {
  it('concurrent requests share one token request; the token is reused until 60 s before expiry', async () => {
    const platform = createFakePlatform()
    platform.tokenDelayMs = 20
    platform.tokenLifetimeSeconds = 3600
    let now = 1_000_000
    const tokens = createTokenSource({ tokenUrl: TOKEN_URL, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, fetch: platform.fetch, now: () => now })
    const got = await Promise.all([tokens.get(), tokens.get(), tokens.get()])
    assert.equal(platform.tokenRequests, 1)
    assert.equal(new Set(got).size, 1)
    now += (3600 - 61) * 1000
    assert.equal(await tokens.get(), got[0])
    assert.equal(platform.tokenRequests, 1)
    now += 2000 // inside the last 60 s
    assert.notEqual(await tokens.get(), got[0])
    assert.equal(platform.tokenRequests, 2)
  })

  it('a 401 from the API gets one retry with a fresh token', async () => {
    const { platform, proxy } = setup()
    await answer(await proxy(post(envelope([timeSpent()]))))
    platform.revoked.add(platform.issued[0]!)
    const { status, body } = await answer(await proxy(post(envelope([timeSpent()]))))
    assert.equal(status, 200)
    assert.equal(body.accepted.length, 1)
    assert.equal(platform.tokenRequests, 2)
  })

  it('bad client credentials: 503 (retry later), and the secret is never logged', async () => {
    const { proxy, logs } = setup({ clientSecret: 'wrong-secret-value' })
    const { status } = await answer(await proxy(post(envelope([timeSpent()]))))
    assert.equal(status, 503)
    assert.ok(!logs.join('\n').includes('wrong-secret-value'))
  })
})

describe('status paths', () => {
  let s: ReturnType<typeof setup>
  beforeEach(() => (s = setup()))

  it('forwards valid events in one envelope and answers with the protocol', async () => {
    const events = [timeSpent(), completed()]
    const { status, body } = await answer(await s.proxy(post(envelope(events))))
    assert.equal(status, 200)
    assert.deepEqual(body, { status: 'success', accepted: events.map((e) => e.id), duplicates: [], rejected: [] })
    assert.equal(s.platform.received.length, 1)
    assert.deepEqual(s.platform.received[0]!.data.map((e) => e.id), events.map((e) => e.id))
  })

  it('accepts text/plain bodies (sendBeacon)', async () => {
    const event = timeSpent()
    const { status, body } = await answer(await s.proxy(post(envelope([event]), { 'content-type': 'text/plain;charset=UTF-8' })))
    assert.equal(status, 200)
    assert.deepEqual(body.accepted, [event.id])
  })

  it('refuses other content types (415), other methods (405) and non-JSON (400)', async () => {
    assert.equal((await s.proxy(post('<x/>', { 'content-type': 'application/xml' }))).status, 415)
    assert.equal((await s.proxy(new Request(`${ORIGIN}/api/caliper`, { headers: { origin: ORIGIN } }))).status, 405)
    assert.equal((await s.proxy(post('{not json'))).status, 400)
  })

  it('an invalid envelope is a 400 naming the fields', async () => {
    const { status, body } = await answer(await s.proxy(post({ sensor: 'app', dataVersion: 'x', data: 'none' })))
    assert.equal(status, 400)
    assert.deepEqual(body.errors.map((e: { path: string }) => e.path), ['sensor', 'dataVersion', 'data'])
  })

  it('invalid events are rejected one by one with field paths; the valid ones go through', async () => {
    const good = timeSpent()
    const bad = { ...completed(), generated: { ...completed().generated, items: [{ type: 'correctQuestions', value: 5 }, { type: 'totalQuestions', value: 3 }] } }
    const { status, body } = await answer(await s.proxy(post(envelope([good, bad]))))
    assert.equal(status, 200)
    assert.deepEqual(body.accepted, [good.id])
    assert.equal(body.rejected[0].id, bad.id)
    assert.deepEqual(body.rejected[0].errors, [{ path: 'generated.items', message: 'correctQuestions must not exceed totalQuestions' }])
  })

  it('an upstream 400 is isolated: one bad event never blocks the others', async () => {
    const events = [timeSpent(), completed(), timeSpent()]
    s.platform.refuse.add(events[1]!.id)
    const { status, body } = await answer(await s.proxy(post(envelope(events))))
    assert.equal(status, 200)
    assert.deepEqual(body.accepted, [events[0]!.id, events[2]!.id])
    assert.deepEqual(body.rejected.map((r: { id: string }) => r.id), [events[1]!.id])
    // the refused one is not remembered as delivered: fixed and resent, it could go through
    s.platform.refuse.clear()
    const again = await answer(await s.proxy(post(envelope([events[1]]))))
    assert.deepEqual(again.body.accepted, [events[1]!.id])
  })

  for (const failure of [500, 502, 503, 429, 'network'] as const) {
    it(`upstream ${failure}: 503 so the tracker retries, and nothing is marked delivered`, async () => {
      const local = setup({ upstreamTimeoutMs: 50 })
      local.platform.script.push(failure)
      const event = completed()
      const first = await local.proxy(post(envelope([event])))
      assert.equal(first.status, 503)
      assert.ok(first.headers.get('retry-after'))
      if (failure === 429) assert.equal(first.headers.get('retry-after'), '17')
      const second = await answer(await local.proxy(post(envelope([event]))))
      assert.deepEqual(second.body.accepted, [event.id])
      assert.equal(local.platform.received.length, 1)
    })
  }
})

describe('request checks', () => {
  it('refuses cross-site requests (Origin, Sec-Fetch-Site, opaque origins)', async () => {
    const { proxy, platform } = setup()
    const body = envelope([timeSpent()])
    assert.equal((await proxy(post(body, { origin: 'https://evil.example' }))).status, 403)
    assert.equal((await proxy(post(body, { origin: 'null' }))).status, 403)
    const noOrigin = new Request(`${ORIGIN}/api/caliper`, { method: 'POST', headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }, body: JSON.stringify(body) })
    assert.equal((await proxy(noOrigin)).status, 403)
    assert.equal(platform.calls, 0)
  })

  it('allows listed origins, with CORS headers', async () => {
    const { proxy } = setup({ allowedOrigins: ['https://learn.example'] })
    const response = await proxy(post(envelope([timeSpent()]), { origin: 'https://learn.example' }))
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://learn.example')
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true')
  })

  it('answers CORS preflights for allowed origins only', async () => {
    const { proxy } = setup({ allowedOrigins: ['https://learn.example'] })
    const preflight = (origin: string) =>
      proxy(new Request(`${ORIGIN}/api/caliper`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }))
    const ok = await preflight('https://learn.example')
    assert.equal(ok.status, 204)
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://learn.example')
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /content-type/)
    assert.equal((await preflight('https://evil.example')).status, 403)
  })

  it('401 when not signed in, and a Response from authorize is passed through', async () => {
    assert.equal((await setup({ authorize: () => null }).proxy(post(envelope([timeSpent()])))).status, 401)
    const forbidden = setup({ authorize: () => new Response('no', { status: 403 }) })
    assert.equal((await forbidden.proxy(post(envelope([timeSpent()])))).status, 403)
  })

  it('413 past the size limit, by Content-Length and by counting a stream', async () => {
    const { proxy, platform } = setup({ maxBodyBytes: 2000 })
    const big = envelope([timeSpent(), timeSpent(), timeSpent()])
    assert.equal((await proxy(post(big))).status, 413)
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)))
        controller.close()
      },
    })
    const streamed = new Request(`${ORIGIN}/api/caliper`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: stream, duplex: 'half' } as RequestInit)
    assert.equal((await proxy(streamed)).status, 413)
    assert.equal(platform.calls, 0)
  })
})

describe('dedupe', () => {
  it('an event already forwarded is answered as a duplicate and not sent again', async () => {
    const { proxy, platform } = setup()
    const event = completed()
    await proxy(post(envelope([event])))
    const { body } = await answer(await proxy(post(envelope([event, event]))))
    assert.deepEqual(body, { status: 'success', accepted: [], duplicates: [event.id], rejected: [] })
    assert.equal(platform.received.length, 1)
  })

  it('the same event in two concurrent requests (a beacon racing a fetch) is forwarded once', async () => {
    const { proxy, platform } = setup()
    platform.tokenDelayMs = 20
    const event = completed()
    const [a, b] = await Promise.all([proxy(post(envelope([event]))), proxy(post(envelope([event]), { 'content-type': 'text/plain' }))])
    const bodies = [await a.json(), await b.json()] as Array<{ accepted: string[]; duplicates: string[] }>
    assert.equal(platform.received.length, 1)
    assert.equal(bodies.filter((x) => x.accepted.includes(event.id)).length, 1)
    // the other request neither accepted nor marked it duplicate: the tracker keeps it and asks again
    const other = bodies.find((x) => !x.accepted.includes(event.id))!
    assert.deepEqual(other.duplicates, [])
  })

  it('survives a restart with the SQLite ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'))
    try {
      const file = join(dir, 'ledger.db')
      const event = completed()
      const first = setup({ ledger: createSqliteLedger(new Database(file)) })
      assert.deepEqual((await answer(await first.proxy(post(envelope([event]))))).body.accepted, [event.id])
      const restarted = setup({ ledger: createSqliteLedger(new Database(file)) })
      const { body } = await answer(await restarted.proxy(post(envelope([event]))))
      assert.deepEqual(body.duplicates, [event.id])
      assert.equal(restarted.platform.received.length, 0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('memory ledger entries expire after their TTL', async () => {
    let now = 0
    const ledger = createMemoryLedger({ ttlMs: 1000, now: () => now })
    assert.deepEqual(await ledger.claim(['a'], 'o', 100), { claimed: ['a'], delivered: [], doubtful: [] })
    await ledger.commit(['a'], 'o')
    assert.deepEqual(await ledger.claim(['a'], 'p', 100), { claimed: [], delivered: ['a'], doubtful: [] })
    now = 2000
    assert.deepEqual(await ledger.claim(['a'], 'p', 100), { claimed: ['a'], delivered: [], doubtful: [] })
  })
})

describe('logs', () => {
  it('never contain the client secret or a bearer token', async () => {
    const { proxy, platform, logs } = setup()
    await proxy(post(envelope([timeSpent()])))
    platform.script.push(500)
    await proxy(post(envelope([completed()])))
    platform.revoked.add(platform.issued[0]!)
    await proxy(post(envelope([timeSpent()])))
    await proxy(post(envelope([timeSpent()]), { origin: 'https://evil.example' }))
    const text = logs.join('\n')
    assert.ok(logs.length >= 4)
    assert.ok(!text.includes(CLIENT_SECRET), 'secret in logs')
    for (const token of platform.issued) assert.ok(!text.includes(token), 'token in logs')
    assert.ok(!/bearer/i.test(text))
  })
})

describe('Node http adapter', () => {
  let server: Server
  let base: string
  let s: ReturnType<typeof setup>
  beforeEach(async () => {
    s = setup()
    server = createServer((req, res) => s.proxy.node(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('serves the proxy over real HTTP (streamed body)', async () => {
    const event = timeSpent()
    const response = await fetch(`${base}/api/caliper`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify(envelope([event])) })
    assert.equal(response.status, 200)
    assert.deepEqual(((await response.json()) as { accepted: string[] }).accepted, [event.id])
  })
})
