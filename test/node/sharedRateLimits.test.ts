// Issue 20 §3: per-student rate limits across proxy instances. With a shared ledger (SQLite file,
// PostgreSQL, Redis: real servers the test starts) the limits live in it, so two instances allow
// the limit once, not twice. The limits refill one request per 30 s here: nothing refills while
// a test runs, so outcomes do not depend on how fast it runs.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import { createPostgresLedger, createRedisLedger, createSqliteLedger, type CaliperLedger } from '../../src/proxy/index.js'
import { endsQuietly, useServers } from './support/databaseServers.js'
import { completed, envelope } from './fakePlatform.js'
import { post, setupProxy as setup } from './support/proxySetup.js'

type Kind = 'SQLite' | 'PostgreSQL' | 'Redis'

describe('rate limits shared by the instances on one ledger', () => {
  const servers = useServers('tt-rate-')
  const { closers, dir } = servers

  let namespaces = 0
  /** Two ledgers on one store, each with a connection of its own, as two instances would have. */
  const twoLedgers = async (kind: Kind): Promise<CaliperLedger[]> => {
    const name = `rate_${++namespaces}`
    return Promise.all(
      [0, 1].map(async () => {
        if (kind === 'SQLite') {
          const db = new Database(join(dir, `${name}.db`))
          closers.push(async () => db.close())
          return createSqliteLedger(db)
        }
        if (kind === 'PostgreSQL') {
          const pool = endsQuietly(new pg.Pool({ connectionString: servers.postgres.url, max: 4 }))
          closers.push(() => pool.end())
          return createPostgresLedger(pool, { table: name })
        }
        const client = createClient({ url: servers.redis.url })
        closers.push(() => client.quit())
        await client.connect()
        return createRedisLedger(client, { prefix: `${name}:` })
      }),
    )
  }
  const statusOf = async (response: Response) => (await response.arrayBuffer(), response.status)

  for (const kind of ['SQLite', 'PostgreSQL', 'Redis'] as const) {
    it(`${kind}: two instances allow a student's requests per minute once, not twice`, async () => {
      const [a, b] = (await twoLedgers(kind)).map((ledger) => setup({ ledger, rateLimit: { requestsPerMinute: 2 } }))
      const statuses = []
      for (const instance of [a!, b!, a!, b!]) statuses.push(await statusOf(await instance.proxy(post(envelope([completed()])))))
      assert.deepEqual(statuses, [200, 200, 429, 429])
      const limited = await b!.proxy(post(envelope([completed()])))
      assert.equal(limited.status, 429)
      assert.ok(Number(limited.headers.get('retry-after')) > 0 && Number(limited.headers.get('retry-after')) <= 30)
      assert.equal(a!.platform.received.length + b!.platform.received.length, 2)
    })

    it(`${kind}: events per minute too`, async () => {
      const [a, b] = (await twoLedgers(kind)).map((ledger) => setup({ ledger, rateLimit: { eventsPerMinute: 10 } }))
      assert.equal(await statusOf(await a!.proxy(post(envelope(Array.from({ length: 8 }, () => completed()))))), 200)
      assert.equal(await statusOf(await b!.proxy(post(envelope(Array.from({ length: 5 }, () => completed()))))), 429)
      // What is left of the minute's allowance still passes (through the instance that did not
      // just answer Retry-After: that one holds the student to it).
      assert.equal(await statusOf(await a!.proxy(post(envelope([completed(), completed()])))), 200)
    })

    it(`${kind}: concurrent requests through both instances: exactly the limit passes`, async () => {
      const [a, b] = (await twoLedgers(kind)).map((ledger) => setup({ ledger, rateLimit: { requestsPerMinute: 4 } }))
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a! : b!).proxy(post(envelope([completed()]))).then(statusOf)))
      assert.equal(statuses.filter((s) => s === 200).length, 4, JSON.stringify(statuses))
      assert.equal(statuses.filter((s) => s === 429).length, 8)
    })
  }
})
