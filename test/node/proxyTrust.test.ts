// Issue 12: numbers a student cannot inflate. Every test forges requests straight at the proxy.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import { buildActivityEvent, buildTimeSpentEvent } from '../../src/events/index.js'
import type { TimeSpentEvent } from '../../src/events/eventTypes.js'
import {
  CaliperUnavailableError,
  createMemoryLedger,
  createPostgresLedger,
  createRedisLedger,
  createSqliteLedger,
} from '../../src/proxy/index.js'
import { endsQuietly, startPostgres, startRedis, type RunningServer } from './support/databaseServers.js'
import { completed, envelope, student, type FakePlatform } from './fakePlatform.js'
import { answer, post, setupProxy as setup } from './support/proxySetup.js'

const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }
const MIN = 60_000

/** A TimeSpentEvent of `active` seconds (and others) spent between `start` and `end`. */
const spent = (start: number, end: number, items: Array<{ type: 'active' | 'inactive' | 'unknown' | 'waste'; value: number }>) =>
  buildTimeSpentEvent({ actor: student, object, items, startDate: start, endDate: end })

const messages = (rejection: { errors: Array<{ path: string; message: string }> }) => rejection.errors.map((e) => `${e.path}: ${e.message}`)

/** Credited seconds per event id as the platform received them. */
const creditedAtPlatform = (platform: FakePlatform) => {
  const out = new Map<string, { start: number; end: number; seconds: number }>()
  for (const envelope of platform.received) {
    for (const event of envelope.data as TimeSpentEvent[]) {
      if (event.type !== 'TimeSpentEvent') continue
      const items = event.generated.items
      out.set(event.id, {
        start: Math.min(...items.map((i) => Date.parse(i.startDate!))),
        end: Math.max(...items.map((i) => Date.parse(i.endDate!))),
        seconds: items.filter((i) => i.type !== 'inactive').reduce((s, i) => s + i.value, 0),
      })
    }
  }
  return [...out.values()]
}

/** The largest excess, over all stretches between event boundaries, of credited over elapsed seconds. */
const worstExcess = (events: Array<{ start: number; end: number; seconds: number }>) => {
  const starts = events.map((e) => e.start)
  const ends = events.map((e) => e.end)
  let worst = -Infinity
  for (const a of starts) {
    for (const b of ends) {
      if (b <= a) continue
      // In whole milliseconds: trimmed values are milliseconds / 1000, whose float sum may be off by 1e-14.
      const inside = events.filter((e) => e.start >= a && e.end <= b).reduce((s, e) => s + Math.round(e.seconds * 1000), 0)
      worst = Math.max(worst, (inside - (b - a)) / 1000)
    }
  }
  return worst
}

/** `count` forged TimeSpentEvents of the last 20 minutes, overlapping, claiming up to their whole window. */
const forgedFlood = (seed: number, count: number) => {
  let x = seed
  const random = () => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
  const base = Date.now() - 20 * MIN
  return Array.from({ length: count }, () => {
    const start = base + Math.floor(random() * 15 * MIN)
    const end = start + 1000 + Math.floor(random() * 3 * MIN)
    const seconds = Math.floor(((end - start) / 1000) * random()) + 1
    return spent(start, end, [{ type: random() < 0.5 ? 'active' : 'unknown', value: seconds }])
  })
}
describe('12.1 each event is physically possible', () => {
  it('refuses 86,400 active seconds in a one-minute window, naming the fields', async () => {
    const { proxy, platform } = setup()
    const now = Date.now()
    const forged = spent(now - MIN, now, [{ type: 'active', value: 86_400 }])
    const { body } = await answer(await proxy(post(envelope([forged]))))
    assert.deepEqual(body.accepted, [])
    assert.equal(body.rejected[0].id, forged.id)
    assert.deepEqual(messages(body.rejected[0]), [
      'generated.items[0].value: is more than the time between startDate and endDate',
      'generated.items: values sum to 86400 s, more than the 60 s they cover',
    ])
    assert.equal(platform.calls, 0)
  })

  it('allows the 1 s of rounding, and refuses items that only together exceed the window', async () => {
    const { proxy } = setup()
    const now = Date.now()
    const rounded = spent(now - 10 * MIN, now - 9 * MIN, [{ type: 'active', value: 61 }])
    const split = spent(now - 2 * MIN, now - MIN, [{ type: 'active', value: 40 }, { type: 'inactive', value: 40 }])
    const { body } = await answer(await proxy(post(envelope([rounded, split]))))
    assert.deepEqual(body.accepted, [rounded.id])
    assert.deepEqual(messages(body.rejected[0]), ['generated.items: values sum to 80 s, more than the 60 s they cover'])
  })

  it('refuses times in the future beyond the skew allowance, and eventTime in the year 9999', async () => {
    const { proxy } = setup()
    const now = Date.now()
    const withinSkew = spent(now, now + 90_000, [{ type: 'active', value: 90 }])
    const future = spent(now, now + 3 * MIN, [{ type: 'active', value: 60 }])
    const year9999 = { ...spent(now - MIN, now, [{ type: 'active', value: 1 }]), eventTime: '9999-12-31T23:59:59.000Z' }
    const { body } = await answer(await proxy(post(envelope([withinSkew, future, year9999]))))
    assert.deepEqual(body.accepted, [withinSkew.id])
    const inFuture = "is in the future (by its envelope's sendTime)"
    assert.deepEqual(messages(body.rejected[0]), [`eventTime: ${inFuture}`, `generated.items[0].endDate: ${inFuture}`])
    assert.deepEqual(messages(body.rejected[1]), [`eventTime: ${inFuture}`])
  })

  it('the skew allowance is configurable', async () => {
    const { proxy } = setup({ clockSkewMs: 10_000 })
    const now = Date.now()
    const { body } = await answer(await proxy(post(envelope([spent(now, now + 90_000, [{ type: 'active', value: 90 }])]))))
    assert.equal(body.rejected.length, 1)
  })

  it('refuses windows that are empty, reversed, longer than 24 h, older than retention or undated', async () => {
    const { proxy } = setup()
    const now = Date.now()
    const event = spent(now - MIN, now, [{ type: 'active', value: 1 }])
    const item = event.generated.items[0]!
    const withItem = (patch: object) => ({ ...event, id: `urn:uuid:${crypto.randomUUID()}`, generated: { ...event.generated, items: [{ ...item, ...patch }] } })
    const iso = (t: number) => new Date(t).toISOString()
    const forged = [
      withItem({ startDate: iso(now), endDate: iso(now) }),
      withItem({ startDate: iso(now - 25 * 60 * MIN), endDate: iso(now) }),
      { ...withItem({ startDate: iso(now - 31 * 24 * 60 * MIN), endDate: iso(now - 31 * 24 * 60 * MIN + MIN) }), eventTime: iso(now) },
      withItem({ startDate: undefined, endDate: undefined }),
    ]
    const { body } = await answer(await proxy(post(envelope(forged))))
    assert.deepEqual(body.accepted, [])
    assert.deepEqual(body.rejected.map(messages), [
      ['generated.items[0].endDate: must be after startDate'],
      ['generated.items[0]: spans more than 24 hours'],
      ['startDate', 'endDate'].map((f) => `generated.items[0].${f}: is older than the retention period (by its envelope's sendTime)`),
      ['generated.items[0]: needs startDate and endDate (time is checked against them)'],
    ])
  })

  it('refuses an eventTime before the time it reports, and one older than retention', async () => {
    const { proxy } = setup({ retentionMs: 60 * MIN })
    const now = Date.now()
    const early = { ...spent(now - MIN, now, [{ type: 'active', value: 30 }]), eventTime: new Date(now - 2 * MIN).toISOString() }
    const old = buildActivityEvent({ actor: student, object, metrics: { xpEarned: 5 }, eventTime: now - 61 * MIN })
    const { body } = await answer(await proxy(post(envelope([early, old]))))
    assert.deepEqual(body.rejected.map(messages), [['eventTime: is before the time it reports'], ["eventTime: is older than the retention period (by its envelope's sendTime)"]])
  })

  it('ActivityEvent metric sanity: xpEarned ±1e308 is refused, ordinary XP and corrections pass', async () => {
    const { proxy } = setup()
    const huge = completed(student, 1e308)
    const negative = completed(student, -1e308)
    const ok = [completed(student, 150), completed(student, -20)]
    const questions = buildActivityEvent({ actor: student, object, metrics: { totalQuestions: 1e9 } })
    const { body } = await answer(await proxy(post(envelope([huge, negative, questions, ...ok]))))
    assert.deepEqual(body.accepted, ok.map((e) => e.id))
    assert.deepEqual(body.rejected.map(messages), [
      ['generated.items[0].value: xpEarned must be within ±1000'],
      ['generated.items[0].value: xpEarned must be within ±1000'],
      ['generated.items[0].value: totalQuestions must be within ±10000'],
    ])
    const lenient = setup({ maxXpPerEvent: 5000 })
    assert.equal((await answer(await lenient.proxy(post(envelope([completed(student, 4000)]))))).body.accepted.length, 1)
  })
})

describe('12.2 a student is never credited more time than has passed', () => {
  it('two tabs claiming the same minute: the second is forwarded with only the rounding second left', async () => {
    const { proxy, platform } = setup()
    const now = Date.now()
    const tabA = spent(now - MIN, now, [{ type: 'active', value: 60 }])
    const tabB = spent(now - MIN, now, [{ type: 'active', value: 60 }, { type: 'inactive', value: 0 }])
    await proxy(post(envelope([tabA])))
    const { body } = await answer(await proxy(post(envelope([tabB]))))
    assert.deepEqual(body.accepted, [tabB.id])
    assert.deepEqual(body.notCredited, [{ id: tabB.id, seconds: 59 }])
    const received = creditedAtPlatform(platform)
    assert.deepEqual(received.map((r) => r.seconds), [60, 1])
  })

  it('what is not credited is taken from unknown first and active last; nothing left means nothing forwarded', async () => {
    const { proxy, platform } = setup()
    const now = Date.now()
    await proxy(post(envelope([spent(now - MIN, now, [{ type: 'active', value: 50 }])])))
    const mixed = spent(now - MIN, now, [{ type: 'active', value: 8 }, { type: 'unknown', value: 5 }, { type: 'inactive', value: 3 }])
    const { body } = await answer(await proxy(post(envelope([mixed]))))
    assert.deepEqual(body.notCredited, [{ id: mixed.id, seconds: 2 }]) // 10 s free + the rounding second
    const forwarded = platform.received.at(-1)!.data[0] as TimeSpentEvent
    assert.deepEqual(forwarded.generated.items.map((i) => [i.type, i.value]), [['active', 8], ['unknown', 3], ['inactive', 3]])
    const calls = platform.calls
    const nothingLeft = spent(now - MIN, now, [{ type: 'waste', value: 30 }])
    const second = await answer(await proxy(post(envelope([nothingLeft]))))
    assert.deepEqual(second.body.accepted, [nothingLeft.id])
    assert.deepEqual(second.body.notCredited, [{ id: nothingLeft.id, seconds: 30 }])
    assert.equal(platform.calls, calls, 'nothing was left to forward')
  })

  it("an activity's own consecutive slices are never trimmed, whatever order they arrive in", async () => {
    const { proxy } = setup()
    const start = Date.now() - 30 * MIN
    // Slices as the tracker cuts them: whole seconds rounded down over the activity.
    const ends = [60_900, 120_100, 180_050, 181_000, 240_999, 300_001]
    let reported = 0
    const slices = ends.map((end, i) => {
      const value = Math.floor(end / 1000) - reported
      reported += value
      return spent(start + (ends[i - 1] ?? 0), start + end, [{ type: 'active', value }])
    })
    const order = [slices[1]!, slices[0]!, slices[2]!, slices[5]!, slices[3]!, slices[4]!]
    for (const slice of order) {
      const { body } = await answer(await proxy(post(envelope([slice]))))
      assert.deepEqual(body, { status: 'success', accepted: [slice.id], duplicates: [], rejected: [] })
    }
  })

  it('a retry after a failed forward is not counted against itself', async () => {
    const { proxy, platform } = setup()
    const now = Date.now()
    const event = spent(now - MIN, now, [{ type: 'active', value: 60 }])
    platform.script.push(500)
    assert.equal((await proxy(post(envelope([event])))).status, 503)
    const { body } = await answer(await proxy(post(envelope([event]))))
    assert.deepEqual(body, { status: 'success', accepted: [event.id], duplicates: [], rejected: [] })
  })

  for (const [name, makeLedger] of [
    ['memory', () => createMemoryLedger()],
    ['SQLite', (file: string) => createSqliteLedger(new Database(file))],
  ] as const) {
    it(`${name} ledger: over any stretch, forged overlapping events credit at most its length + 1 s`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'budget-'))
      try {
        const ledger = makeLedger(join(dir, 'ledger.db'))
        const { proxy, platform } = setup({ ledger })
        const events = forgedFlood(7, 60)
        const claimed = events.reduce((s, e) => s + e.generated.items[0]!.value, 0)
        const answers = await Promise.all(events.map((e, i) => proxy(post(envelope([e, ...(i % 3 ? [] : [events[i - 1] ?? e])])))))
        assert.ok(answers.every((a) => a.status === 200))
        const received = creditedAtPlatform(platform)
        const credited = received.reduce((s, e) => s + e.seconds, 0)
        assert.ok(credited < claimed / 2, `forged ${claimed} s, credited ${credited} s`)
        assert.ok(worstExcess(received) <= 1, `excess ${worstExcess(received)} s`)
        assert.ok(worstExcess(events.map((e) => ({ start: Date.parse(e.generated.items[0]!.startDate!), end: Date.parse(e.generated.items[0]!.endDate!), seconds: e.generated.items[0]!.value }))) > 60)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }

  it('SQLite: two proxy instances on one file share the budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'budget-'))
    try {
      const file = join(dir, 'ledger.db')
      const a = setup({ ledger: createSqliteLedger(new Database(file)) })
      const b = setup({ ledger: createSqliteLedger(new Database(file)) })
      const events = forgedFlood(11, 40)
      await Promise.all(events.map((e, i) => (i % 2 ? a : b).proxy(post(envelope([e])))))
      const received = [...creditedAtPlatform(a.platform), ...creditedAtPlatform(b.platform)]
      assert.ok(received.length > 0)
      assert.ok(worstExcess(received) <= 1, `excess ${worstExcess(received)} s`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a custom ledger without a time budget gets one in memory, and the proxy says so', async () => {
    const { claim, renew, commit, release, markInDoubt } = createMemoryLedger()
    const { proxy, logs } = setup({ ledger: { claim, renew, commit, release, markInDoubt } })
    assert.match(logs.join('\n'), /keeps no time budget: credited time is checked per proxy instance only/)
    const now = Date.now()
    await proxy(post(envelope([spent(now - MIN, now, [{ type: 'active', value: 60 }])])))
    const { body } = await answer(await proxy(post(envelope([spent(now - MIN, now, [{ type: 'active', value: 60 }])]))))
    assert.equal(body.notCredited[0].seconds, 59)
  })

  it('students have separate budgets', async () => {
    const other = { id: 'https://sis.example/users/456', email: 'other@example.com' }
    let user = student
    const { proxy, platform } = setup({ authorize: () => user })
    const now = Date.now()
    await proxy(post(envelope([spent(now - MIN, now, [{ type: 'active', value: 60 }])])))
    user = other
    const theirs = buildTimeSpentEvent({ actor: other, object, items: [{ type: 'active', value: 60 }], startDate: now - MIN, endDate: now })
    const { body } = await answer(await proxy(post(envelope([theirs]))))
    assert.equal(body.notCredited, undefined)
    assert.deepEqual(creditedAtPlatform(platform).map((r) => r.seconds), [60, 60])
  })
})

describe('12.2 on real servers: PostgreSQL and Redis keep the budget for every instance', () => {
  let postgres: RunningServer
  let redis: RunningServer
  const pools: pg.Pool[] = []
  const clients: Array<ReturnType<typeof createClient>> = []
  before(async () => {
    ;[postgres, redis] = await Promise.all([startPostgres(), startRedis()])
  })
  after(async () => {
    await Promise.all(pools.map((p) => p.end()))
    await Promise.all(clients.map((c) => c.quit()))
    await Promise.all([postgres?.stop(), redis?.stop()])
  })
  /** A connection of its own, as a separate proxy instance would have. */
  const connect = {
    PostgreSQL: async () => {
      const pool = endsQuietly(new pg.Pool({ connectionString: postgres.url, max: 5 }))
      pools.push(pool)
      return pool
    },
    Redis: async () => {
      const client = createClient({ url: redis.url })
      clients.push(client)
      await client.connect()
      return client
    },
  }
  let namespaces = 0
  /** `count` proxy instances, each with its own connection, sharing one ledger namespace. */
  const instances = async (kind: 'PostgreSQL' | 'Redis', count: number) => {
    const name = `budget_${++namespaces}`
    return Promise.all(
      Array.from({ length: count }, async () => {
        const ledger =
          kind === 'PostgreSQL'
            ? createPostgresLedger(await connect.PostgreSQL(), { table: name })
            : createRedisLedger(await connect.Redis(), { prefix: `${name}:` })
        return setup({ ledger })
      }),
    )
  }

  for (const kind of ['PostgreSQL', 'Redis'] as const) {
    it(`${kind}: the ledger is the time budget; the proxy does not fall back to one per instance`, async () => {
      const { proxy, logs } = (await instances(kind, 1))[0]!
      assert.doesNotMatch(logs.join('\n'), /keeps no time budget/)
      const now = Date.now()
      await proxy(post(envelope([spent(now - MIN, now, [{ type: 'active', value: 60 }])])))
      const second = spent(now - MIN, now, [{ type: 'active', value: 60 }])
      const { body } = await answer(await proxy(post(envelope([second]))))
      assert.deepEqual(body.notCredited, [{ id: second.id, seconds: 59 }])
    })

    it(`${kind}: over any stretch, forged overlapping events credit at most its length + 1 s`, async () => {
      const { proxy, platform } = (await instances(kind, 1))[0]!
      const events = forgedFlood(7, 60)
      const claimed = events.reduce((s, e) => s + e.generated.items[0]!.value, 0)
      const answers = await Promise.all(events.map((e, i) => proxy(post(envelope([e, ...(i % 3 ? [] : [events[i - 1] ?? e])])))))
      assert.deepEqual(answers.map((a) => a.status).filter((s) => s !== 200), [])
      const received = creditedAtPlatform(platform)
      const credited = received.reduce((s, e) => s + e.seconds, 0)
      assert.ok(credited < claimed / 2, `forged ${claimed} s, credited ${credited} s`)
      assert.ok(worstExcess(received) <= 1, `excess ${worstExcess(received)} s`)
    })

    it(`${kind}: two proxy instances receiving overlapping events at once share one budget`, async () => {
      const [a, b] = await instances(kind, 2)
      const events = forgedFlood(11, 80)
      const answers = await Promise.all(events.map((e, i) => (i % 2 ? a! : b!).proxy(post(envelope([e])))))
      assert.deepEqual(answers.map((r) => r.status).filter((s) => s !== 200), [])
      const received = [...creditedAtPlatform(a!.platform), ...creditedAtPlatform(b!.platform)]
      assert.ok(received.length > 10, `${received.length} events forwarded`)
      assert.ok(worstExcess(received) <= 1, `excess ${worstExcess(received)} s`)
      // Without a shared budget each instance would credit its own half in full.
      const halves = [a!, b!].map((x) => worstExcess(events.filter((_, i) => (i % 2 ? x === a : x === b)).map((e) => ({ start: Date.parse(e.generated.items[0]!.startDate!), end: Date.parse(e.generated.items[0]!.endDate!), seconds: e.generated.items[0]!.value }))))
      assert.ok(Math.max(...halves) > 60, 'each instance alone received an over-claiming half')
    })

    it(`${kind}: the same student's one minute claimed through four instances at once is credited once`, async () => {
      const proxies = await instances(kind, 4)
      const now = Date.now()
      const claims = Array.from({ length: 12 }, () => spent(now - MIN, now, [{ type: 'active', value: 60 }]))
      await Promise.all(claims.map((e, i) => proxies[i % 4]!.proxy(post(envelope([e])))))
      const credited = proxies.flatMap((p) => creditedAtPlatform(p.platform)).reduce((s, e) => s + e.seconds, 0)
      assert.equal(credited, 61, 'the minute, plus the rounding second')
    })

    it(`${kind}: a release moves the student's counter, so a reservation that read the released spans places again`, async () => {
      const name = `release_${++namespaces}`
      const pool = kind === 'PostgreSQL' ? await connect.PostgreSQL() : undefined
      const client = kind === 'Redis' ? await connect.Redis() : undefined
      const budget = pool ? createPostgresLedger(pool, { table: name }) : createRedisLedger(client!, { prefix: `${name}:` })
      const counter = async () =>
        pool
          ? Number((await pool.query(`SELECT version FROM ${name}_credit_version WHERE student = $1`, [student.id])).rows[0].version)
          : Number(await client!.sendCommand(['GET', `${name}:credit-v:{${student.id}}`]))
      const end = Date.now()
      const x = { id: 'urn:uuid:00000000-0000-4000-8000-00000000000a', start: end - MIN, end, ms: MIN }
      assert.deepEqual(await budget.reserveTime(student.id, [x]), [MIN])
      const before = await counter()
      await budget.releaseTime(student.id, [x.id])
      assert.equal(await counter(), before + 1)
      assert.deepEqual(await budget.reserveTime(student.id, [{ ...x, id: 'urn:uuid:00000000-0000-4000-8000-00000000000b' }]), [MIN])
    })

    it(`${kind}: a retry after a failed forward is not counted against itself, and released time is free again`, async () => {
      const { proxy, platform } = (await instances(kind, 1))[0]!
      const now = Date.now()
      const event = spent(now - MIN, now, [{ type: 'active', value: 60 }])
      platform.script.push(500)
      assert.equal((await proxy(post(envelope([event])))).status, 503)
      const other = spent(now - MIN, now, [{ type: 'active', value: 60 }])
      platform.script.push(500)
      assert.equal((await proxy(post(envelope([other])))).status, 503)
      const { body } = await answer(await proxy(post(envelope([event]))))
      assert.deepEqual(body, { status: 'success', accepted: [event.id], duplicates: [], rejected: [] })
    })
  }

  it('Redis: a student\'s budget keys expire after the retention, and old spans are swept', async () => {
    const client = await connect.Redis()
    let clock = Date.now()
    const ledger = createRedisLedger(client, { prefix: 'expiry:', now: () => clock })
    const start = clock - MIN
    await ledger.reserveTime(student.id, [{ id: 'urn:uuid:00000000-0000-4000-8000-000000000001', start, end: clock, ms: 60_000 }])
    const ttl = Number(await client.sendCommand(['PTTL', `expiry:credit:{${student.id}}`]))
    assert.ok(ttl > 30 * 24 * 3_600_000, `expires in ${ttl} ms`)
    clock += 40 * 24 * 3_600_000
    await ledger.reserveTime(student.id, [{ id: 'urn:uuid:00000000-0000-4000-8000-000000000002', start: clock - MIN, end: clock, ms: 60_000 }])
    const members = (await client.sendCommand(['ZRANGE', `expiry:credit:{${student.id}}`, '0', '-1'])) as string[]
    assert.deepEqual(members.map((m) => m.split(':').slice(2).join(':')), ['urn:uuid:00000000-0000-4000-8000-000000000002'])
  })

  it('PostgreSQL: old spans are swept in batches', async () => {
    const pool = await connect.PostgreSQL()
    let clock = Date.now()
    const ledger = createPostgresLedger(pool, { table: 'sweep_budget', now: () => clock })
    for (let i = 0; i < 300; i++) {
      const end = clock - 40 * 24 * 3_600_000 + i * MIN
      await ledger.reserveTime(`https://sis.example/users/${i}`, [{ id: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, start: end - MIN, end, ms: 1000 }])
    }
    await new Promise((resolve) => setTimeout(resolve, 200)) // the sweep runs beside the request
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM sweep_budget_credit')
    assert.ok(rows[0].n < 300, `${rows[0].n} spans left of 300 past the retention`)
  })
})

describe('12.3 XP under the app control', () => {
  it('acceptEvent refuses with its reason; refused ids are free for a later, allowed resend', async () => {
    let maxXp = 100
    const { proxy, platform } = setup({
      acceptEvent: async (event, user) => {
        assert.equal(user.id, student.id)
        if (event.type !== 'ActivityEvent') return true
        const xp = event.generated.items.find((i) => i.type === 'xpEarned')?.value ?? 0
        return xp <= maxXp || `xpEarned ${xp} is over this activity's ${maxXp}`
      },
    })
    const big = completed(student, 150)
    const small = completed(student, 50)
    const { body } = await answer(await proxy(post(envelope([big, small]))))
    assert.deepEqual(body.accepted, [small.id])
    assert.deepEqual(body.rejected, [{ id: big.id, errors: [{ path: '', message: "xpEarned 150 is over this activity's 100" }] }])
    maxXp = 200
    assert.deepEqual((await answer(await proxy(post(envelope([big]))))).body.accepted, [big.id])
    assert.equal(platform.received.length, 2)
  })

  it("activityEvents: 'server-only' refuses browser ActivityEvents; proxy.send forwards them", async () => {
    const { proxy, platform } = setup({ activityEvents: 'server-only', sensor: 'https://app.example' })
    const now = Date.now()
    const time = spent(now - MIN, now, [{ type: 'active', value: 60 }])
    const xp = completed(student, 150)
    const { body } = await answer(await proxy(post(envelope([time, xp]))))
    assert.deepEqual(body.accepted, [time.id])
    assert.deepEqual(messages(body.rejected[0]), ['type: ActivityEvents are sent by the app server only'])
    const sent = await proxy.send([xp], student)
    assert.deepEqual(sent, { accepted: [xp.id], duplicates: [], rejected: [], notCredited: [] })
    assert.deepEqual((await proxy.send([xp], student)).duplicates, [xp.id])
    assert.equal(platform.received.length, 2)
  })

  it('proxy.send applies validation, plausibility, the actor binding and the time budget', async () => {
    const { proxy } = setup({ sensor: 'https://app.example' })
    const now = Date.now()
    const other = { id: 'https://sis.example/users/456', email: 'other@example.com' }
    const first = spent(now - MIN, now, [{ type: 'active', value: 60 }])
    const overlap = spent(now - MIN, now, [{ type: 'active', value: 60 }])
    const [huge, theirs] = [completed(student, 1e9), completed(other)]
    const outcome = await proxy.send([first, overlap, huge, theirs, { nonsense: true }], student)
    assert.deepEqual(outcome.accepted, [first.id, overlap.id])
    assert.deepEqual(outcome.notCredited, [{ id: overlap.id, seconds: 59 }])
    assert.deepEqual(outcome.rejected.map((r) => r.id).sort(), [huge.id, theirs.id, 'data[4]'].sort())
    assert.match(JSON.stringify(outcome.rejected), /xpEarned must be within/)
    assert.match(JSON.stringify(outcome.rejected), /is not the user given to proxy.send/)
  })

  it('proxy.send forwards what it checked: a getter that answers differently later cannot slip XP past the checks', async () => {
    const { proxy, platform } = setup({ sensor: 'https://app.example' })
    const honest = completed(student, 10)
    let reads = 0
    const tricky = { ...honest, generated: undefined as unknown }
    Object.defineProperty(tricky, 'generated', {
      enumerable: true,
      get: () => (reads++ === 0 ? honest.generated : { ...honest.generated, items: [{ type: 'xpEarned', value: 1e9 }] }),
    })
    const outcome = await proxy.send([tricky], student)
    assert.deepEqual(outcome.accepted, [honest.id])
    const forwarded = platform.received.flatMap((e) => e.data as unknown as Array<{ generated: { items: Array<{ value: number }> } }>)
    assert.deepEqual(forwarded.map((e) => e.generated.items[0]!.value), [10])
  })

  it('proxy.send throws CaliperUnavailableError when the platform cannot take the events, and credits nothing', async () => {
    const { proxy, platform } = setup({ sensor: 'https://app.example' })
    platform.script.push(503)
    const xp = completed(student, 10)
    await assert.rejects(proxy.send([xp], student), CaliperUnavailableError)
    assert.deepEqual((await proxy.send([xp], student)).accepted, [xp.id])
  })

  it('proxy.send without a sensor option says what to set', async () => {
    const { proxy } = setup()
    await assert.rejects(proxy.send([completed()], student), /set the sensor option/)
  })
})

describe('12.4 rate limits per student', () => {
  it('answers 429 with Retry-After past the request cap; other students are not affected', async () => {
    let now = Date.now()
    let user = student
    const { proxy, platform } = setup({ rateLimit: { requestsPerMinute: 3 }, now: () => now, authorize: () => user })
    for (let i = 0; i < 3; i++) assert.equal((await proxy(post(envelope([completed()])))).status, 200)
    const limited = await proxy(post(envelope([completed()])))
    assert.equal(limited.status, 429)
    assert.equal(limited.headers.get('retry-after'), '20')
    assert.equal(platform.received.length, 3)
    user = { id: 'https://sis.example/users/456', email: 'other@example.com' }
    assert.equal((await proxy(post(envelope([completed(user)])))).status, 200)
    user = student
    now += 20_000
    assert.equal((await proxy(post(envelope([completed()])))).status, 200)
  })

  it('caps events per minute too', async () => {
    const now = Date.now()
    const { proxy } = setup({ rateLimit: { eventsPerMinute: 10 }, now: () => now })
    assert.equal((await proxy(post(envelope(Array.from({ length: 8 }, () => completed()))))).status, 200)
    const limited = await proxy(post(envelope(Array.from({ length: 5 }, () => completed()))))
    assert.equal(limited.status, 429)
    assert.equal(limited.headers.get('retry-after'), '18')
  })

  it('a flood of requests from one script is mostly refused before anything is read or forwarded', async () => {
    const { proxy, platform } = setup()
    const statuses = await Promise.all(Array.from({ length: 300 }, () => proxy(post(envelope([completed()]))).then((r) => r.status)))
    assert.equal(statuses.filter((s) => s === 200).length, 120)
    assert.equal(statuses.filter((s) => s === 429).length, 180)
    assert.equal(platform.received.length, 120)
  })

  it('rateLimit: false turns it off', async () => {
    const { proxy } = setup({ rateLimit: false })
    const statuses = await Promise.all(Array.from({ length: 130 }, () => proxy(post(envelope([completed()]))).then((r) => r.status)))
    assert.ok(statuses.every((s) => s === 200))
  })
})
