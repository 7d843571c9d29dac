// The conformance suites (`timeback-tracker/proxy/conformance`) against every built-in backend:
// memory and SQLite in process, PostgreSQL and Redis on real servers started here. Each backend
// reads the suite's clock, so the interleavings are deterministic everywhere.
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import { ledgerConformance, timeBudgetConformance, type ConformanceContext } from '../../src/proxy/conformance/index.js'
import { createMemoryLedger, createPostgresLedger, createRedisLedger, createSqliteLedger, type CaliperLedger, type TimeBudget } from '../../src/proxy/index.js'
import { endsQuietly, startPostgres, startRedis, type RunningServer } from './support/databaseServers.js'

/** A built-in ledger (also its time budget) for one run, and how to clean up after it. */
type Make = (context: ConformanceContext) => { ledger: CaliperLedger & TimeBudget; close?(): Promise<unknown> }

function conforms(name: string, make: () => Make) {
  describe(`${name} backend`, () => {
    it('keeps the claim model', () => ledgerConformance((context) => make()(context)))
    it('keeps the placement rules of the time budget', () =>
      timeBudgetConformance((context) => {
        const { ledger, close } = make()(context)
        return { budget: ledger, ...(close && { close }) }
      }))
  })
}

conforms('memory', () => ({ ttlMs, now }) => ({ ledger: createMemoryLedger({ ttlMs, now }) }))
conforms('SQLite', () => ({ ttlMs, now }) => ({ ledger: createSqliteLedger(new Database(':memory:'), { ttlMs, now }) }))

describe('on real servers', () => {
  let postgres: RunningServer
  let redis: RunningServer
  let pool: pg.Pool
  let client: ReturnType<typeof createClient>
  before(async () => {
    ;[postgres, redis] = await Promise.all([startPostgres(), startRedis()])
    pool = endsQuietly(new pg.Pool({ connectionString: postgres.url, max: 4 }))
    client = createClient({ url: redis.url })
    await client.connect()
  })
  after(async () => {
    await pool?.end()
    await client?.quit()
    await Promise.all([postgres?.stop(), redis?.stop()])
  })
  conforms('PostgreSQL', () => ({ ttlMs, now, name }) => ({
    ledger: createPostgresLedger(pool, { table: name, ttlMs, now }),
    close: () => pool.query(`DROP TABLE IF EXISTS ${name}, ${name}_credit, ${name}_credit_version`),
  }))
  conforms('Redis', () => ({ ttlMs, now, name }) => ({ ledger: createRedisLedger(client, { prefix: `${name}:`, ttlMs, now }) }))
})
