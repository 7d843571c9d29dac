// The Redis backend on a real redis-server (started here): its time budget's sweep, scripts
// called by hash, and what the proxy answers when Redis fails.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import { createClient } from 'redis'
import { ledgerConformance } from '../../src/proxy/conformance/index.js'
import { createRedisLedger, DEFAULT_LEDGER_TTL_MS } from '../../src/proxy/index.js'
import { completed, envelope, student, timeSpent } from './fakePlatform.js'
import { startRedis, type RunningServer } from './support/databaseServers.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

const T = Date.parse('2026-01-01T00:00:00Z')
const s = (seconds: number) => T + seconds * 1000

describe('Redis backend', () => {
  let redis: RunningServer
  let client: ReturnType<typeof createClient>
  let prefixes = 0
  before(async () => {
    redis = await startRedis()
    client = createClient({ url: redis.url })
    await client.connect()
  })
  after(async () => {
    await client?.quit()
    await redis?.stop()
  })

  it("the budget's sweep forgets only the spans that expired: the rest of the event is still released with it", async () => {
    let now = T
    const ledger = createRedisLedger(client, { prefix: `sweep${++prefixes}:`, now: () => now })
    // `a` sits in the middle of `e`'s window, so `e` is placed in two spans: [0, 10) and [20, 40).
    assert.deepEqual(await ledger.reserveTime('st', [{ id: 'a', start: s(10), end: s(20), ms: 10_000 }]), [10_000])
    assert.deepEqual(await ledger.reserveTime('st', [{ id: 'e', start: s(0), end: s(40), ms: 30_000 }]), [30_000])
    // Time passes until [0, 10) is older than the budget keeps, [20, 40) not: a read sweeps.
    now = s(15) + DEFAULT_LEDGER_TTL_MS
    await ledger.reserveTime('st', [{ id: 'later', start: s(100), end: s(101), ms: 1000 }])
    // `e` was not delivered after all: all of its time is free again.
    await ledger.releaseTime('st', ['e'])
    assert.deepEqual(await ledger.reserveTime('st', [{ id: 'f', start: s(20), end: s(40), ms: 20_000 }]), [20_000])
  })

  it('a Redis error after the claim is answered 503 with Retry-After; the id waits for its lease, then goes once', async () => {
    const prefix = `failing${++prefixes}:`
    const s = setupProxy({ ledger: createRedisLedger(client, { prefix }), claimLeaseMs: 300, rateLimit: false })
    // The student's spans key holds a string: the budget's scripts fail (WRONGTYPE), the claim not.
    await client.set(`${prefix}credit:{${student.id}}`, 'not a sorted set')
    const event = timeSpent()
    const failed = await answer(await s.proxy(post(envelope([event]))))
    assert.equal(failed.status, 503)
    assert.ok(Number(failed.headers.get('retry-after')) > 0, 'Retry-After')
    assert.ok(s.logs.some((l) => l.startsWith('ERROR') && l.includes('WRONGTYPE')), s.logs.join('\n'))
    await client.del(`${prefix}credit:{${student.id}}`)
    await new Promise((resolve) => setTimeout(resolve, 350)) // the lease, on the server's clock
    const resent = await answer(await s.proxy(post(envelope([event]))))
    assert.deepEqual(resent.body.accepted, [event.id])
    assert.deepEqual(s.platform.storedIds(), [event.id])
  })

  it('a Redis error in the rate limits (kept in the ledger) is answered 503 with Retry-After too', async () => {
    const prefix = `rate${++prefixes}:`
    const s = setupProxy({ ledger: createRedisLedger(client, { prefix }) })
    await client.sendCommand(['SADD', `${prefix}rate:{${student.id}}`, 'not what the script keeps'])
    const failed = await answer(await s.proxy(post(envelope([timeSpent()]))))
    assert.equal(failed.status, 503)
    assert.ok(Number(failed.headers.get('retry-after')) > 0, 'Retry-After')
    assert.deepEqual(s.platform.storedIds(), [])
  })

  it('keeps the claim model per student too (the keys the proxy uses, old-layout keys read as well)', () =>
    ledgerConformance(({ ttlMs, now, name }) => ({ ledger: createRedisLedger(client, { prefix: `${name}:`, ttlMs, now }).forStudent(student.id) })))

  /** How many times the server ran each of EVAL and EVALSHA since the last `CONFIG RESETSTAT`. */
  const scriptCalls = async () => {
    const info = String(await client.sendCommand(['INFO', 'commandstats']))
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0)
    return { eval: calls('eval'), evalsha: calls('evalsha') }
  }

  it('calls its scripts by hash, each sent in full once; again once after the script cache is emptied (a restart, a failover)', async () => {
    const ledger = createRedisLedger(client, { prefix: `sha${++prefixes}:` })
    const claimAndCommit = async (id: string) => {
      await ledger.claim([id], 'owner', 60_000)
      await ledger.commit([id], 'owner')
    }
    await client.sendCommand(['SCRIPT', 'FLUSH'])
    await client.sendCommand(['CONFIG', 'RESETSTAT'])
    for (let i = 0; i < 5; i++) await claimAndCommit(`id-${i}`)
    assert.deepEqual(await scriptCalls(), { eval: 2, evalsha: 10 }) // two scripts: claim, transition
    await client.sendCommand(['SCRIPT', 'FLUSH'])
    await client.sendCommand(['CONFIG', 'RESETSTAT'])
    await claimAndCommit('after-flush')
    assert.deepEqual(await scriptCalls(), { eval: 2, evalsha: 2 })
    assert.deepEqual((await ledger.claim(['after-flush'], 'other', 60_000)).delivered, ['after-flush'])
  })

  it("keys a student's ids under the student's hash tag, reading ids kept in the old layout while they last", async () => {
    const prefix = `layout${++prefixes}:`
    const ledger = createRedisLedger(client, { prefix })
    const [delivered, inFlight, ended, fresh] = ['delivered', 'in-flight', 'ended', 'fresh']
    // Written by the version before per-student keys: `<prefix><id>`.
    await client.set(`${prefix}${delivered}`, 'd', { PX: 60_000 })
    await client.set(`${prefix}${inFlight}`, `c:old-owner:${Date.now() + 60_000}`, { PX: 120_000 })
    await client.set(`${prefix}${ended}`, `q::${Date.now() - 1}`, { PX: 60_000 })
    const mine = ledger.forStudent(student.id)
    assert.deepEqual(await mine.claim([delivered, inFlight, ended, fresh], 'new-owner', 60_000), {
      claimed: [ended, fresh],
      delivered: [delivered],
      doubtful: [ended],
    })
    await mine.commit([ended, fresh], 'new-owner')
    const keys = (await client.keys(`${prefix}*`)).sort()
    assert.deepEqual(keys, [...[delivered, ended, inFlight].map((id) => prefix + id), ...[ended, fresh].map((id) => `${prefix}{${student.id}}:${id}`)].sort())
  })
})

describe('upgrading from the key layout before per-student keys', () => {
  it('an id the old version delivered is a duplicate through the proxy after the upgrade, never forwarded again', async () => {
    const redis = await startRedis()
    const client = createClient({ url: redis.url })
    await client.connect()
    try {
      const event = completed()
      // What the previous version left for a delivered id: `<prefix><id>` = 'd', for its TTL.
      await client.set(`caliper-ledger:${event.id.toLowerCase()}`, 'd', { PX: 60_000 })
      const s = setupProxy({ ledger: createRedisLedger(client) })
      const resent = await answer(await s.proxy(post(envelope([event]))))
      assert.deepEqual([resent.body.accepted, resent.body.duplicates], [[], [event.id]])
      assert.deepEqual(s.platform.storedIds(), [])
    } finally {
      await client.quit()
      await redis.stop()
    }
  })
})

describe('a Redis restart', () => {
  it("a proxy on a client set up as the README shows ('error' listener, no offline queue) answers 503 while Redis is down, then recovers", async () => {
    let server = await startRedis()
    const heard: string[] = []
    // As in the README: without the listener, the client's 'error' event ends the process.
    const client = createClient({ url: server.url, disableOfflineQueue: true }).on('error', (error: Error) => heard.push(error.message))
    await client.connect()
    try {
      const s = setupProxy({ ledger: createRedisLedger(client), rateLimit: false })
      assert.equal((await s.proxy(post(envelope([timeSpent()])))).status, 200)
      await server.stop()
      const down = await answer(await s.proxy(post(envelope([timeSpent()]))))
      assert.equal(down.status, 503)
      assert.ok(Number(down.headers.get('retry-after')) > 0, 'Retry-After')
      server = await startRedis({ port: server.port })
      for (let tries = 0; !client.isReady && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 50))
      const event = timeSpent()
      const back = await answer(await s.proxy(post(envelope([event]))))
      assert.deepEqual([back.status, back.body.accepted], [200, [event.id]])
      assert.ok(heard.length > 0, 'the listener heard the connection drop')
    } finally {
      client.destroy()
      await server.stop()
    }
  })

  it("without the 'error' listener, the same restart ends the process (why the README shows one)", async () => {
    const server = await startRedis()
    const script = `import { createClient } from 'redis'
      await createClient({ url: '${server.url}', disableOfflineQueue: true }).connect()
      console.log('connected')
      setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    try {
      await once(child.stdout, 'data')
      await server.stop()
      const [code] = await once(child, 'exit')
      assert.notEqual(code, 0)
      assert.match(stderr, /Unhandled 'error' event|Socket closed unexpectedly/)
    } finally {
      child.kill()
    }
  })
})
