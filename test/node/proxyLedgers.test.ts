// Every ledger keeps the same contract: memory and SQLite on a fake clock, PostgreSQL and Redis
// on real servers (started here) and their own clocks.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import {
  createMemoryLedger,
  createPostgresLedger,
  createRedisLedger,
  createSqliteLedger,
  type CaliperLedger,
} from '../../src/proxy/index.js'
import { endsQuietly, startPostgres, startRedis, type RunningServer } from './support/databaseServers.js'

interface Subject {
  ledger: CaliperLedger
  /** Lets `ms` pass for the ledger (a fake clock moves; a real one is waited for). */
  pass(ms: number): Promise<void>
}

const LONG = 60_000 // a lease that cannot run out during a test
const SHORT = 150 // a lease a test lets run out
const realTime = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms + 20))
let unique = 0
const ids = (n: number) => Array.from({ length: n }, () => `urn:uuid:00000000-0000-4000-8000-${String(++unique).padStart(12, '0')}`)

function contract(name: string, make: () => Promise<Subject>) {
  describe(`${name} ledger`, () => {
    it('claims each id for one owner; commits make it delivered for everyone', async () => {
      const { ledger } = await make()
      const [a, b] = ids(2)
      assert.deepEqual(await ledger.claim([a!, b!, a!], 'one', LONG), { claimed: [a, b], delivered: [], doubtful: [] })
      assert.deepEqual(await ledger.claim([a!, b!], 'two', LONG), { claimed: [], delivered: [], doubtful: [] })
      await ledger.commit([a!], 'one')
      assert.deepEqual(await ledger.claim([a!, b!], 'two', LONG), { claimed: [], delivered: [a], doubtful: [] })
    })

    it('only the owner commits, renews or releases its claim', async () => {
      const { ledger } = await make()
      const [a] = ids(1)
      await ledger.claim([a!], 'owner', LONG)
      await ledger.commit([a!], 'stranger')
      await ledger.release([a!], 'stranger')
      await ledger.markInDoubt([a!], 'stranger', LONG)
      assert.deepEqual(await ledger.renew([a!], 'stranger', LONG), [])
      assert.deepEqual(await ledger.claim([a!], 'other', LONG), { claimed: [], delivered: [], doubtful: [] })
      assert.deepEqual(await ledger.renew([a!], 'owner', LONG), [a])
      await ledger.release([a!], 'owner')
      assert.deepEqual((await ledger.claim([a!], 'other', LONG)).claimed, [a])
    })

    it('an ended lease can be taken over, as doubtful; the stale owner can no longer act on it', async () => {
      const { ledger, pass } = await make()
      const [a] = ids(1)
      await ledger.claim([a!], 'stale', SHORT)
      await pass(SHORT)
      assert.deepEqual(await ledger.claim([a!], 'fresh', LONG), { claimed: [a], delivered: [], doubtful: [a] })
      await ledger.release([a!], 'stale')
      await ledger.commit([a!], 'stale')
      assert.deepEqual(await ledger.claim([a!], 'third', LONG), { claimed: [], delivered: [], doubtful: [] })
      await ledger.commit([a!], 'fresh')
      assert.deepEqual((await ledger.claim([a!], 'third', LONG)).delivered, [a])
    })

    it('a renewed lease does not end', async () => {
      const { ledger, pass } = await make()
      const [a] = ids(1)
      await ledger.claim([a!], 'owner', SHORT)
      assert.deepEqual(await ledger.renew([a!], 'owner', LONG), [a])
      await pass(SHORT)
      assert.deepEqual((await ledger.claim([a!], 'other', LONG)).claimed, [])
    })

    it('ids in doubt are held for their hold, then claimed as doubtful', async () => {
      const { ledger, pass } = await make()
      const [held, ending] = ids(2)
      await ledger.claim([held!, ending!], 'owner', LONG)
      await ledger.markInDoubt([held!], 'owner', LONG)
      await ledger.markInDoubt([ending!], 'owner', SHORT)
      await ledger.release([held!], 'owner') // no longer its claim: the doubt stands
      assert.deepEqual(await ledger.claim([held!], 'other', LONG), { claimed: [], delivered: [], doubtful: [] })
      await pass(SHORT)
      assert.deepEqual(await ledger.claim([ending!], 'other', LONG), { claimed: [ending], delivered: [], doubtful: [ending] })
    })

    it('concurrent overlapping claims hand each id to exactly one owner', async () => {
      const { ledger } = await make()
      const pool = ids(30)
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ledger.claim([...pool.slice(i % 10, i % 10 + 15)].reverse(), `owner-${i}`, LONG)),
      )
      const all = claims.flatMap((c) => c.claimed)
      assert.equal(all.length, new Set(all).size)
      assert.deepEqual(new Set(all), new Set(pool.slice(0, 24)))
    })
  })
}

function fakeClock() {
  let now = Date.parse('2026-01-01T00:00:00Z')
  return { now: () => now, pass: async (ms: number) => void (now += ms + 1) }
}

contract('memory', async () => {
  const clock = fakeClock()
  return { ledger: createMemoryLedger({ now: clock.now }), pass: clock.pass }
})

contract('SQLite', async () => {
  const clock = fakeClock()
  return { ledger: createSqliteLedger(new Database(':memory:'), { now: clock.now }), pass: clock.pass }
})

describe('real servers', () => {
  let postgres: RunningServer
  let redis: RunningServer
  let pool: pg.Pool
  let client: ReturnType<typeof createClient>
  before(async () => {
    ;[postgres, redis] = await Promise.all([startPostgres(), startRedis()])
    pool = endsQuietly(new pg.Pool({ connectionString: postgres.url, max: 10 }))
    client = createClient({ url: redis.url })
    await client.connect()
  })
  after(async () => {
    await pool?.end()
    await client?.quit()
    await Promise.all([postgres?.stop(), redis?.stop()])
  })

  let tables = 0
  contract('PostgreSQL', async () => ({ ledger: createPostgresLedger(pool, { table: `ledger_${++tables}` }), pass: realTime }))
  contract('Redis', async () => ({ ledger: createRedisLedger(client, { prefix: `t${++tables}:` }), pass: realTime }))

  it('PostgreSQL: instances starting together all create and share one table', async () => {
    const ledgers = Array.from({ length: 4 }, () => createPostgresLedger(pool, { table: 'shared_start' }))
    const [a] = ids(1)
    const claims = await Promise.all(ledgers.map((l, i) => l.claim([a!], `owner-${i}`, LONG)))
    assert.equal(claims.flatMap((c) => c.claimed).length, 1)
  })

  it('PostgreSQL: refuses a table name that is not a plain name', () => {
    assert.throws(() => createPostgresLedger(pool, { table: 'x; DROP TABLE y' }), /table/)
    // The time budget's `<table>_credit_version` must fit PostgreSQL's 63 characters.
    assert.throws(() => createPostgresLedger(pool, { table: 'a'.repeat(41) }), /at most 40 characters/)
    assert.doesNotThrow(() => createPostgresLedger(pool, { table: `analytics.${'a'.repeat(40)}` }))
  })

  it('Redis: delivered ids expire with the retention (no sweeping needed)', async () => {
    const ledger = createRedisLedger(client, { prefix: 'ttl:', ttlMs: 5000 })
    const [a] = ids(1)
    await ledger.claim([a!], 'owner', LONG)
    await ledger.commit([a!], 'owner')
    const ttl = Number(await client.sendCommand(['PTTL', `ttl:${a}`]))
    assert.ok(ttl > 0 && ttl <= 5000, `PTTL ${ttl}`)
  })
})

describe('memory ledger bounds (defect 9)', () => {
  it('remembers delivered ids longer than the tracker keeps undelivered ones (30 days)', async () => {
    const clock = fakeClock()
    const ledger = createMemoryLedger({ now: clock.now })
    await ledger.claim(['a'], 'o', LONG)
    await ledger.commit(['a'], 'o')
    await clock.pass(30 * 24 * 3_600_000 + 3_600_000)
    assert.deepEqual((await ledger.claim(['a'], 'p', LONG)).delivered, ['a'])
  })

  it('sweeps expired ids, so the map does not grow without bound', async () => {
    const clock = fakeClock()
    const ledger = createMemoryLedger({ now: clock.now, ttlMs: 1000 })
    for (let i = 0; i < 20_000; i++) {
      await ledger.claim([`old-${i}`], 'o', LONG)
      await ledger.commit([`old-${i}`], 'o')
    }
    assert.equal(ledger.size(), 20_000)
    await clock.pass(2000)
    for (let i = 0; i < 2000; i++) await ledger.claim([`new-${i}`], 'o', LONG)
    assert.ok(ledger.size() <= 2000, `size ${ledger.size()}`)
  })

  it('keeps at most maxEntries, forgetting the oldest delivered ids first', async () => {
    const ledger = createMemoryLedger({ maxEntries: 100 })
    for (let i = 0; i < 1000; i++) {
      await ledger.claim([`id-${i}`], 'o', LONG)
      await ledger.commit([`id-${i}`], 'o')
    }
    assert.ok(ledger.size() <= 101, `size ${ledger.size()}`)
    assert.deepEqual((await ledger.claim(['id-999'], 'p', LONG)).delivered, ['id-999'])
  })
})

describe('SQLite ledger at scale (defect 8)', () => {
  it('sweeps along an index, in batches, never the whole table in one request', async () => {
    const clock = fakeClock()
    const db = new Database(':memory:')
    const ledger = createSqliteLedger(db, { now: clock.now, ttlMs: 1000 })
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT rowid FROM caliper_ledger WHERE purge_at <= 1 LIMIT 500").all() as Array<{ detail: string }>
    assert.match(plan.map((p) => p.detail).join(' '), /USING (COVERING )?INDEX caliper_ledger_purge_at/)
    const insert = db.prepare('INSERT INTO caliper_ledger (id, delivered, owner, until, purge_at) VALUES (?, 1, NULL, 0, 0)')
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`expired-${i}`)
    })()
    const rows = () => (db.prepare('SELECT count(*) AS n FROM caliper_ledger').get() as { n: number }).n
    await ledger.claim(['x'], 'o', LONG)
    assert.ok(rows() > 4000, 'one claim does not purge everything')
    for (let i = 0; i < 256 * 12; i++) await ledger.claim([`y-${i}`], 'o', LONG)
    assert.equal(rows(), 1 + 256 * 12)
  })

  it('an old (version 1) ledger file keeps its delivered ids; its unfinished claims become doubtful', async () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE caliper_ledger (id TEXT PRIMARY KEY, delivered INTEGER NOT NULL, until INTEGER NOT NULL)')
    db.exec(`INSERT INTO caliper_ledger VALUES ('done', 1, ${Date.now() + 1e9}), ('flying', 0, ${Date.now() - 1})`)
    const ledger = createSqliteLedger(db)
    assert.deepEqual(await ledger.claim(['done', 'flying'], 'o', LONG), { claimed: ['flying'], delivered: ['done'], doubtful: ['flying'] })
  })
})
