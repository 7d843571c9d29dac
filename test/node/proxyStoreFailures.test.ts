// A ledger or time budget failing mid-request, on real databases: the proxy answers 503 with
// `Retry-After` (the tracker keeps the events and tries again), never 500, and forwards nothing.
// The budget's table is dropped under the proxy, so the claim succeeds and the budget fails.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createPostgresLedger, createSqliteLedger, StoreUnavailableError, type CaliperLedger } from '../../src/proxy/index.js'
import { envelope, student, timeSpent } from './fakePlatform.js'
import { answer, post, setupProxy } from './support/proxySetup.js'
import { usePostgresPool } from './support/databaseServers.js'

async function failsWith503(ledger: CaliperLedger, breakBudget: () => Promise<unknown>) {
  const s = setupProxy({ ledger })
  assert.equal((await s.proxy(post(envelope([timeSpent()])))).status, 200)
  await breakBudget()
  const failed = await answer(await s.proxy(post(envelope([timeSpent()]))))
  assert.equal(failed.status, 503)
  assert.ok(Number(failed.headers.get('retry-after')) > 0, 'Retry-After')
  assert.match(failed.body.message, /retry later/)
  assert.equal(s.platform.storedIds().length, 1, 'nothing forwarded')
  assert.ok(s.logs.some((l) => l.startsWith('ERROR') && /ledger, time budget or rate limits failed/.test(l)), s.logs.join('\n'))
}

describe('a store failing mid-request', () => {
  it('SQLite: 503 with Retry-After', async () => {
    const db = new Database(':memory:')
    await failsWith503(createSqliteLedger(db), async () => db.exec('DROP TABLE caliper_credit'))
  })

  it('proxy.send throws StoreUnavailableError, with the store’s error as its cause', async () => {
    const db = new Database(':memory:')
    const s = setupProxy({ ledger: createSqliteLedger(db), sensor: 'https://app.example' })
    db.exec('DROP TABLE caliper_credit')
    await assert.rejects(s.proxy.send([timeSpent()], student), (error: Error) => {
      assert.ok(error instanceof StoreUnavailableError)
      assert.match(String((error.cause as Error).message), /no such table/)
      return true
    })
  })

  describe('PostgreSQL', () => {
    const pool = usePostgresPool(4)

    it('503 with Retry-After', async () => {
      await failsWith503(createPostgresLedger(pool, { table: 'failing' }), () => pool.query('DROP TABLE failing_credit'))
    })
  })
})
