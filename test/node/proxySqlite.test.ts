// Issue 20 §5: the SQLite ledger shares one fsynced transaction among concurrent requests (group
// commit), without answering before its transaction is on disk.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { buildTimeSpentEvent } from '../../src/events/index.js'
import { createSqliteLedger, type SqliteDatabase } from '../../src/proxy/index.js'
import { createGroupCommit } from '../../src/proxy/backends/sqlite/sqliteGroupCommit.js'
import { envelope } from './fakePlatform.js'
import { answer, post, setupProxy } from './support/proxySetup.js'

const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }

describe('SQLite ledger: group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-group-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  /** A database file, counting the transactions begun on it at the top level. */
  const counted = (name: string) => {
    const db = new Database(join(dir, name))
    const counter = { transactions: 0 }
    const transaction: SqliteDatabase['transaction'] = (fn) => {
      const wrapped = db.transaction(fn)
      return Object.assign((...args: Parameters<typeof fn>) => wrapped(...args), {
        immediate: (...args: Parameters<typeof fn>) => (counter.transactions++, wrapped.immediate(...args)),
      })
    }
    const counting: SqliteDatabase = { exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), pragma: (s, o) => db.pragma(s, o), transaction }
    return { db, counting, counter }
  }

  it('sixteen concurrent requests share transactions: fewer than one per request (three each before)', async () => {
    const { db, counting, counter } = counted('shared.db')
    const ledger = createSqliteLedger(counting)
    const { proxy, platform } = setupProxy({ ledger, authorize: (request) => ({ id: `https://sis.example/users/${request.headers.get('x-student')}`, email: 's@example.com' }) })
    const end = Date.now()
    const requests = Array.from({ length: 16 }, (_, i) => {
      const actor = { id: `https://sis.example/users/${i}`, email: 's@example.com' }
      const event = buildTimeSpentEvent({ actor, object, items: [{ type: 'active', value: 30 }], startDate: end - 60_000, endDate: end - 30_000 })
      const request = post(envelope([event]))
      request.headers.set('x-student', String(i))
      return request
    })
    const answers = await Promise.all(requests.map(async (r) => answer(await proxy(r))))
    assert.deepEqual(answers.map((a) => a.body.accepted.length), Array(16).fill(1))
    assert.equal(platform.received.length, 16)
    assert.ok(counter.transactions < 16, `${counter.transactions} transactions for 16 requests`)
    const { n } = db.prepare('SELECT count(*) AS n FROM caliper_ledger WHERE delivered = 1').get() as { n: number }
    assert.equal(n, 16)
    // WAL's usual NORMAL would not fsync each commit: an acknowledged claim could be lost.
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL')
  })

  it('resolves once the transaction is committed; work that throws is rolled back alone', async () => {
    const db = new Database(join(dir, 'alone.db'))
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)')
    const reader = new Database(join(dir, 'alone.db'), { readonly: true })
    const group = createGroupCommit(db)
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const seen = () => (reader.prepare('SELECT x FROM t ORDER BY x').all() as Array<{ x: number }>).map((r) => r.x)
    const kept = group(() => insert.run(1))
    const failed = group(() => {
      insert.run(2)
      throw new Error('refused')
    })
    const also = group(() => insert.run(3))
    assert.deepEqual(seen(), [], 'nothing before the transaction runs')
    await kept
    assert.deepEqual(seen(), [1, 3], 'committed, by the time the first resolves')
    await assert.rejects(failed, /refused/)
    await also
  })
})
