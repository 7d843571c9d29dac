// Issue 20 §5: the PostgreSQL ledger costs two round trips per request (its rate limit taken
// inside the claim), places credited time in
// the database exactly as `placeCredit` does, and keeps its schema versioned.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildTimeSpentEvent } from '../../src/events/index.js'
import { createPostgresLedger, placeCredit, type CreditClaim, type PostgresQueryable, type ProxyTelemetry } from '../../src/proxy/index.js'
import { usePostgresPool } from './support/databaseServers.js'
import { envelope, student } from './fakePlatform.js'
import { answer, post, setupProxy } from './support/proxySetup.js'
import { SCHEMA_VERSION } from '../../src/proxy/backends/postgres/postgresMigrations.js'

const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const MIN = 60_000

describe('PostgreSQL ledger: round trips, placement, schema', () => {
  const pool = usePostgresPool(5)

  /** Telemetry that records nothing: the ledger is wrapped as with OpenTelemetry. */
  const passThrough: ProxyTelemetry = {
    request: (_request, handle) => handle(),
    step: (_step, run) => run(),
    fetch: (_call, fetch) => fetch,
    metric() {},
  }

  /** The pool, counting the statements sent through it. */
  const counted = () => {
    const statements: string[] = []
    const queryable: PostgresQueryable = {
      query: (text, values) => {
        statements.push(text)
        return pool.query(text, values)
      },
    }
    return { queryable, statements }
  }

  it('a request of ten TimeSpentEvents costs two round trips: claim with budget, then commit', async () => {
    const { queryable, statements } = counted()
    const { proxy, platform } = setupProxy({ ledger: createPostgresLedger(queryable, { table: 'trips' }) })
    const end = Date.now()
    const events = (from: number) =>
      Array.from({ length: 10 }, (_, i) =>
        buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 30 }], startDate: from - (i + 1) * MIN, endDate: from - i * MIN - 30_000 }),
      )
    await proxy(post(envelope(events(end)))) // the first one migrates the schema
    statements.length = 0
    const { status, body } = await answer(await proxy(post(envelope(events(end - 20 * MIN)))))
    assert.equal(status, 200)
    assert.equal(body.accepted.length, 10)
    assert.equal(platform.received.length, 2)
    assert.equal(statements.length, 2, statements.join('\n---\n'))
  })

  it('takes the rate limit inside the claim: over it, a 429 with nothing claimed and no third round trip', async () => {
    const { queryable, statements } = counted()
    const { proxy, platform } = setupProxy({ ledger: createPostgresLedger(queryable, { table: 'rated' }), rateLimit: { requestsPerMinute: 1 } })
    const event = (at: number) => buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 30 }], startDate: at - MIN, endDate: at - 30_000 })
    assert.equal((await proxy(post(envelope([event(Date.now())])))).status, 200)
    statements.length = 0
    const refused = event(Date.now() - 5 * MIN)
    const res = await proxy(post(envelope([refused])))
    assert.equal(res.status, 429)
    assert.ok(Number(res.headers.get('retry-after')) > 0)
    assert.equal(statements.length, 1, statements.join('\n---\n'))
    assert.equal(platform.received.length, 1)
    const { rows } = await pool.query('SELECT id FROM rated WHERE id = $1', [refused.id.toLowerCase()])
    assert.deepEqual(rows, [], 'the refused request claimed nothing')
    // Refused once, this instance refuses the student's next request without asking the database.
    assert.equal((await proxy(post(envelope([refused])))).status, 429)
    assert.equal(statements.length, 1)
  })

  it('with telemetry too, the rate limit folded into the claim still holds', async () => {
    const { proxy, platform } = setupProxy({ ledger: createPostgresLedger(pool, { table: 'rated_traced' }), rateLimit: { requestsPerMinute: 1 }, telemetry: passThrough })
    const event = (at: number) => buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 30 }], startDate: at - MIN, endDate: at - 30_000 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await proxy(post(envelope([event(Date.now() - i * 2 * MIN)])))).status)
    assert.deepEqual(statuses, [200, 429, 429])
    assert.equal(platform.received.length, 1)
  })

  it('with telemetry too: two round trips, the claim with its budget one step', async () => {
    const { queryable, statements } = counted()
    const steps: string[] = []
    const telemetry: ProxyTelemetry = {
      request: (_request, handle) => handle(),
      step: (step, run) => (steps.push(step), run()),
      fetch: (_call, fetch) => fetch,
      metric() {},
    }
    const { proxy } = setupProxy({ ledger: createPostgresLedger(queryable, { table: 'traced' }), telemetry })
    const end = Date.now()
    const event = (from: number) => buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 30 }], startDate: from - MIN, endDate: from - 30_000 })
    await proxy(post(envelope([event(end)])))
    statements.length = 0
    steps.length = 0
    assert.equal((await proxy(post(envelope([event(end - 2 * MIN)])))).status, 200)
    assert.equal(statements.length, 2, statements.join('\n---\n'))
    assert.deepEqual(steps, ['ledger.claim', 'ledger.commit'])
  })

  it('places credited time as placeCredit does, over random claims of one student', async () => {
    const ledger = createPostgresLedger(pool, { table: 'placement' })
    // A fixed-seed generator: the same claims on every run.
    let seed = 20
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const base = 1_700_000_000_000
    const taken: CreditClaim[] = []
    let n = 0
    for (let round = 0; round < 40; round++) {
      const credit = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        const start = base + Math.floor(random() * 600) * 1000
        const length = (1 + Math.floor(random() * 120)) * 1000
        const id = `urn:uuid:00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`
        return { id, key: id, start, end: start + length, ms: Math.floor(random() * length) + 1 }
      })
      const expected = placeCredit(taken, credit)
      const { claimed, granted } = await ledger.claimWithTime(credit.map((c) => c.key), `owner-${round}`, MIN, student.id, credit)
      assert.deepEqual(claimed.length, credit.length)
      assert.deepEqual(credit.map((c) => granted[c.id]), expected.granted, `round ${round}`)
      taken.push(...expected.placed.map((s) => ({ ...s, ms: 0 })))
      const { rows } = await pool.query('SELECT event_id AS id, start::float8 AS start, "end"::float8 AS "end" FROM placement_credit ORDER BY start, "end"')
      const placed = [...taken].sort((a, b) => a.start - b.start || a.end - b.end).map(({ id, start, end }) => ({ id, start, end }))
      assert.deepEqual(rows, placed, `round ${round}`)
    }
  })

  it('reserves no time for doubtful ids, nor for ids held or delivered elsewhere', async () => {
    const ledger = createPostgresLedger(pool, { table: 'reserve_claimed' })
    const end = Date.now()
    const claim = (id: string): CreditClaim & { key: string } => ({ id, key: id, start: end - MIN, end, ms: 1000 })
    await ledger.claim(['held'], 'other', MIN)
    await ledger.claim(['gone'], 'other', MIN)
    await ledger.commit(['gone'], 'other')
    await ledger.claim(['doubt'], 'other', 1)
    await new Promise((resolve) => setTimeout(resolve, 5)) // the 1 ms lease ends
    const answer = await ledger.claimWithTime(['held', 'gone', 'doubt', 'fresh'], 'me', MIN, student.id, ['held', 'gone', 'doubt', 'fresh'].map(claim))
    assert.deepEqual(answer, { claimed: ['doubt', 'fresh'], delivered: ['gone'], doubtful: ['doubt'], granted: { fresh: 1000 } })
  })

  it('migrates a ledger created before the schema was versioned, keeping its ids, once for instances starting together', async () => {
    await pool.query(`CREATE TABLE legacy (id text PRIMARY KEY, delivered boolean NOT NULL,
      owner text, until bigint NOT NULL, purge_at bigint NOT NULL)`)
    await pool.query(`INSERT INTO legacy VALUES ('done', true, NULL, 9e15, 9e15)`)
    const ledgers = Array.from({ length: 4 }, () => createPostgresLedger(pool, { table: 'legacy' }))
    const claims = await Promise.all(ledgers.map((l, i) => l.claim(['done', 'new'], `owner-${i}`, MIN)))
    assert.deepEqual(claims.map((c) => c.delivered), [['done'], ['done'], ['done'], ['done']])
    assert.equal(claims.flatMap((c) => c.claimed).length, 1)
    const { rows } = await pool.query('SELECT version FROM legacy_schema')
    assert.deepEqual(rows, [{ version: SCHEMA_VERSION }])
  })
})
