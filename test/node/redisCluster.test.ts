// The Redis ledger on a real three-node Redis Cluster (started here), through node-redis's
// `createCluster`: one request's ids share a hash slot with their student's time budget, so
// every script runs on one node (no CROSSSLOT), and students spread over the nodes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createCluster } from 'redis'
import { ledgerConformance, timeBudgetConformance } from '../../src/proxy/conformance/index.js'
import { createRedisLedger } from '../../src/proxy/index.js'
import { completed, envelope, timeSpent } from './fakePlatform.js'
import { startRedisCluster, type RunningCluster } from './support/databaseServers.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

describe('Redis Cluster', () => {
  let servers: RunningCluster
  let cluster: ReturnType<typeof createCluster>
  const errors: string[] = []
  before(async () => {
    servers = await startRedisCluster(3)
    cluster = createCluster({ rootNodes: servers.urls.map((url) => ({ url })), defaults: { disableOfflineQueue: true } })
    cluster.on('error', (error: Error) => errors.push(error.message))
    await cluster.connect()
  })
  after(async () => {
    await cluster?.close()
    await servers?.stop()
  })

  it("forwards a request's many ids once, knows them on a resend, and keeps the student's time budget", async () => {
    // Its rate limits too are kept in the cluster (the ledger is the rate-limit store).
    const s = setupProxy({ ledger: createRedisLedger(cluster, { prefix: 'one:' }) })
    const events = [...Array.from({ length: 20 }, () => timeSpent()), ...Array.from({ length: 20 }, () => completed())]
    const first = await answer(await s.proxy(post(envelope(events))))
    assert.equal(first.status, 200, first.text)
    assert.deepEqual(first.body.accepted, events.map((e) => e.id))
    const resend = await answer(await s.proxy(post(envelope(events))))
    assert.deepEqual([resend.body.accepted, resend.body.duplicates], [[], events.map((e) => e.id)])
    // Another event over the same 30 s as one already credited: only the rounding second is left.
    const again = { ...events[0]!, id: `urn:uuid:${crypto.randomUUID()}` }
    const overlapping = await answer(await s.proxy(post(envelope([again]))))
    assert.deepEqual(overlapping.body.notCredited, [{ id: again.id, seconds: 29 }], overlapping.text)
    assert.deepEqual(s.platform.storedIds(), [...events.map((e) => e.id), again.id])
    assert.deepEqual(errors, [])
  })

  it("keeps each student's keys in one slot, and spreads students over the nodes", async () => {
    const ledger = createRedisLedger(cluster, { prefix: 'spread:' })
    const students = Array.from({ length: 30 }, (_, i) => `https://sis.example/users/${i}`)
    for (const id of students) {
      const mine = ledger.forStudent(id)
      assert.equal((await mine.claim(['a', 'b', 'c'], 'owner', 60_000)).claimed.length, 3)
      await mine.commit(['a', 'b', 'c'], 'owner')
      await ledger.reserveTime(id, [{ id: 'a', start: 0, end: 1000, ms: 1000 }])
    }
    const perNode = await Promise.all(
      cluster.masters.map(async (master) => {
        const node = await cluster.nodeClient(master)
        return (await node.keys('spread:*')).length
      }),
    )
    assert.equal(perNode.reduce((a, b) => a + b), students.length * 6) // 3 ids, 3 budget keys
    assert.ok(perNode.filter((n) => n > 0).length >= 2, `keys per node: ${perNode}`)
    const node = await cluster.nodeClient(cluster.masters[0]!)
    for (const id of students.slice(0, 3)) {
      const slots = await Promise.all(
        [`spread:{${id}}:a`, `spread:{${id}}:c`, `spread:credit:{${id}}`].map((key) => node.sendCommand(['CLUSTER', 'KEYSLOT', key])),
      )
      assert.equal(new Set(slots).size, 1, `slots ${slots}`)
    }
  })

  it("keeps the claim model and the time budget's placement rules on the cluster", async () => {
    const student = 'https://sis.example/users/conformance'
    await ledgerConformance(({ ttlMs, now, name }) => ({ ledger: createRedisLedger(cluster, { prefix: `${name}:`, ttlMs, now }).forStudent(student) }))
    await timeBudgetConformance(({ ttlMs, now, name }) => ({ budget: createRedisLedger(cluster, { prefix: `${name}:`, ttlMs, now }) }))
  })
})
