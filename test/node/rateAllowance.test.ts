// The rate limit's rule, written once (store/allowance.ts), and each store held to it: the memory
// store and SQLite run it, the Redis script and the PostgreSQL statement compute it on the server.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import {
  createMemoryRateLimit,
  createPostgresLedger,
  createRedisLedger,
  createSqliteLedger,
  type RateCost,
  type RateLimitStore,
} from '../../src/proxy/index.js'
import { takeAllowance, type AllowanceState } from '../../src/proxy/store/allowance.js'
import { endsQuietly, useServers } from './support/databaseServers.js'
import { completed, envelope } from './fakePlatform.js'
import { post, setupProxy as setup } from './support/proxySetup.js'

const perMinute = { requests: 3, events: 10 }

describe('takeAllowance', () => {
  it('a burst up to a minute passes, then one request per 60/n seconds', () => {
    let state: AllowanceState | undefined
    const take = (at: number, cost: RateCost = { requests: 1, events: 0 }) => {
      const result = takeAllowance(state, cost, perMinute, at)
      state = result.state
      return result.waitMs
    }
    assert.deepEqual([take(0), take(0), take(0), take(0)], [undefined, undefined, undefined, 20_000])
    assert.equal(take(19_999), 1)
    assert.equal(take(20_000), undefined)
    assert.equal(take(20_000), 20_000)
  })

  it('all or nothing: a request refused for its events takes no request either', () => {
    const first = takeAllowance(undefined, { requests: 1, events: 8 }, perMinute, 0)
    const refused = takeAllowance(first.state, { requests: 1, events: 5 }, perMinute, 0)
    assert.equal(refused.waitMs, 18_000)
    assert.deepEqual(refused.state, first.state)
  })

  it('more than a minute passes on a full allowance and leaves it in debt', () => {
    const big = takeAllowance(undefined, { requests: 1, events: 25 }, perMinute, 0)
    assert.equal(big.waitMs, undefined)
    assert.equal(takeAllowance(big.state, { requests: 1, events: 1 }, perMinute, 0).waitMs, 96_000)
  })

  it('no float drift: exactly n of a limit that does not divide the minute', () => {
    let state: AllowanceState | undefined
    const limits = { requests: 7, events: 2000 }
    const waits = Array.from({ length: 8 }, () => {
      const result = takeAllowance(state, { requests: 1, events: 1 }, limits, 1_700_000_000_123)
      state = result.state
      return result.waitMs
    })
    assert.deepEqual(waits.map((w) => w === undefined), [true, true, true, true, true, true, true, false])
  })
})

describe('each store takes as takeAllowance does', () => {
  const servers = useServers('tt-allowance-')
  const { closers, dir } = servers

  const stores: Record<string, () => Promise<RateLimitStore>> = {
    memory: async () => createMemoryRateLimit(),
    SQLite: async () => {
      const db = new Database(join(dir, 'ledger.db'))
      closers.push(async () => db.close())
      return createSqliteLedger(db)
    },
    PostgreSQL: async () => {
      const pool = endsQuietly(new pg.Pool({ connectionString: servers.postgres.url, max: 2 }))
      closers.push(() => pool.end())
      return createPostgresLedger(pool, { table: 'allowance' })
    },
    Redis: async () => {
      const client = createClient({ url: servers.redis.url })
      closers.push(() => client.quit())
      await client.connect()
      return createRedisLedger(client, { prefix: 'allowance:' })
    },
  }
  // Costs in a row for one student, at once: what passes, and the waits (whole seconds: the
  // stores' clocks move on by a few milliseconds meanwhile).
  const costs: RateCost[] = [
    { requests: 1, events: 4 },
    { requests: 1, events: 7 },
    { requests: 1, events: 6 },
    { requests: 1, events: 1 },
    { requests: 1, events: 0 },
    { requests: 1, events: 0 },
    { requests: 1, events: 0 },
  ]
  const expected = (() => {
    let state: AllowanceState | undefined
    return costs.map((cost) => {
      const result = takeAllowance(state, cost, perMinute, 0)
      state = result.state
      return result.waitMs && Math.ceil(result.waitMs / 1000)
    })
  })()

  for (const [name, make] of Object.entries(stores)) {
    it(name, async () => {
      const store = await make()
      const waits = []
      for (const cost of costs) {
        const wait = await store.takeAllowance('https://sis.example/users/1', cost, perMinute)
        waits.push(wait && Math.ceil(wait / 1000))
      }
      assert.deepEqual(waits, expected)
      assert.equal(await store.takeAllowance('https://sis.example/users/2', costs[0]!, perMinute), undefined, 'students apart')
    })
  }
})

describe('the rateLimitStore option', () => {
  it('overrides the ledger: two memory-ledger instances given one store allow the limit once', async () => {
    const rateLimitStore = createMemoryRateLimit()
    const [a, b] = [setup({ rateLimitStore, rateLimit: { requestsPerMinute: 1 } }), setup({ rateLimitStore, rateLimit: { requestsPerMinute: 1 } })]
    assert.equal((await a.proxy(post(envelope([completed()])))).status, 200)
    assert.equal((await b.proxy(post(envelope([completed()])))).status, 429)
  })
})
