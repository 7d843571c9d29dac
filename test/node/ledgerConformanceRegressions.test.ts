// Where the ledgers disagreed with the claim model (found by the conformance suite, or by reading
// them against it), one example each. Memory and SQLite on a fake clock; PostgreSQL on a real
// server, its rows aged by moving their times into the past (its claims read the database's clock).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createMemoryLedger, createPostgresLedger, createSqliteLedger, type CaliperLedger } from '../../src/proxy/index.js'
import { usePostgresPool } from './support/databaseServers.js'

const TTL = 60_000
const LEASE = 1_000
const A = 'urn:uuid:00000000-0000-4000-8000-00000000000a'

for (const [name, make] of [
  ['memory', (now: () => number) => createMemoryLedger({ ttlMs: TTL, now })],
  ['SQLite', (now: () => number) => createSqliteLedger(new Database(':memory:'), { ttlMs: TTL, now })],
] as const) {
  describe(`${name} ledger keeps the claim model`, () => {
    let t = Date.parse('2026-01-01T00:00:00Z')
    const fresh = (): CaliperLedger => make(() => t)

    it('forgets a claim at the end of its keeping (lease + retention) even before a sweep: a new claim of it is not doubtful', async () => {
      const ledger = fresh()
      await ledger.claim([A], 'owner', LEASE)
      t += LEASE + TTL
      assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [] })
    })

    it('lets no transition act on a claim it has forgotten: a late commit does not record a delivery', async () => {
      const ledger = fresh()
      await ledger.claim([A], 'late', LEASE)
      t += LEASE + TTL
      await ledger.commit([A], 'late')
      assert.deepEqual(await ledger.renew([A], 'late', LEASE), [])
      assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [] })
    })
  })
}

describe('PostgreSQL ledger keeps the claim model', () => {
  const pool = usePostgresPool(2)
  /** Moves the id's lease, hold or retention and its keeping `ms` into the past. */
  const age = (table: string, ms: number) => pool.query(`UPDATE ${table} SET until = until - $1, purge_at = purge_at - $1`, [ms])

  it('claims an id delivered longer ago than the retention as fresh, not doubtful', async () => {
    const ledger = createPostgresLedger(pool, { table: 'expired_delivery', ttlMs: TTL })
    await ledger.claim([A], 'owner', LEASE)
    await ledger.commit([A], 'owner')
    await age('expired_delivery', TTL + 1)
    assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [] })
  })

  it('forgets a claim at the end of its keeping even before a sweep: a new claim of it is not doubtful', async () => {
    const ledger = createPostgresLedger(pool, { table: 'forgotten_claim', ttlMs: TTL })
    await ledger.claim([A], 'owner', LEASE)
    await age('forgotten_claim', LEASE + TTL + 1)
    assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [] })
  })

  it('lets no transition act on a claim it has forgotten: a late commit does not record a delivery', async () => {
    const ledger = createPostgresLedger(pool, { table: 'late_commit', ttlMs: TTL })
    await ledger.claim([A], 'late', LEASE)
    await age('late_commit', LEASE + TTL + 1)
    await ledger.commit([A], 'late')
    assert.deepEqual(await ledger.renew([A], 'late', LEASE), [])
    assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [] })
  })

  it('still doubts a claim whose lease ended within its keeping', async () => {
    const ledger = createPostgresLedger(pool, { table: 'lapsed_claim', ttlMs: TTL })
    await ledger.claim([A], 'owner', LEASE)
    await age('lapsed_claim', LEASE + 1)
    assert.deepEqual(await ledger.claim([A], 'next', LEASE), { claimed: [A], delivered: [], doubtful: [A] })
  })
})
