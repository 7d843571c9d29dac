// npm run bench:proxy: the reference proxy's throughput and latency, beside a bare Node server
// that forwards the same body to the same fake platform, in the same run (figures, not pass/fail).
//   for envelopes of 1, 10 and 100 events, with the memory, SQLite and PostgreSQL ledgers:
//   requests/s, p50/p99 latency, ratio to the bare forwarder (targets ≥ 0.6× at 1 and 10
//   events, ≥ 0.4× at 100), and the same ratio in CPU time per request (steadier on a shared
//   machine; without the database's own CPU); then the heap over 50,000 requests (`--heap-requests N` to change,
//   `--heap-only` to skip the table, `--ledgers memory,SQLite` to choose the ledgers).
// Needs PostgreSQL's binaries (Debian package `postgresql`) for the PostgreSQL row.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, createServer, request, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Database from 'better-sqlite3'
import pg from 'pg'
import { buildTimeSpentEvent } from '../src/events/index.js'
import { createCaliperProxy, createMemoryLedger, createPostgresLedger, createSqliteLedger, type CaliperLedger } from '../src/proxy/index.js'
import { endsQuietly, startPostgres } from '../test/node/support/databaseServers.js'

const CONCURRENCY = 16
// Requests per measurement, by envelope size; each runs three times, interleaved with the bare forwarder.
const REQUESTS: Record<number, number> = { 1: 600, 10: 300, 100: 60 }
const heapArg = process.argv.indexOf('--heap-requests')
const HEAP_REQUESTS = heapArg > 0 ? Number(process.argv[heapArg + 1]) : 50_000
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const listen = async (handler: RequestListener): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler)
  server.keepAliveTimeout = 120_000 // idle between runs: the client's sockets must stay valid
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
const readBody = (req: Parameters<RequestListener>[0]) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString()))
  })

// The platform: a token endpoint and a Caliper endpoint that reads the body and says yes.
const platform = await listen(async (req, res) => {
  await readBody(req)
  if (req.url === '/token') return void res.end('{"access_token":"bench","expires_in":3600}')
  res.setHeader('content-type', 'application/json')
  res.end('{"status":"success"}')
})

// The bare forwarder: what any proxy must at least do (read, POST upstream, answer).
const bare = await listen(async (req, res) => {
  const body = await readBody(req)
  const upstream = await fetch(`${platform.url}/caliper/event`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body })
  await upstream.arrayBuffer()
  const ids = (JSON.parse(body) as { data: Array<{ id: string }> }).data.map((e) => e.id)
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ status: 'success', accepted: ids, duplicates: [], rejected: [] }))
})

// Each request is a different student (as on a real proxy), so neither the per-student rate limit
// nor the time budget turns the load into 429s or trimmed events.
const studentOf = (header: string | null) => ({ id: `https://sis.example/users/${header ?? 1}`, email: 'bench@example.com' })
const proxyServer = async (ledger: CaliperLedger) =>
  listen(
    createCaliperProxy({
      caliperUrl: platform.url,
      tokenUrl: `${platform.url}/token`,
      clientId: 'bench',
      clientSecret: 'bench-secret',
      authorize: (request) => studentOf(request.headers.get('x-student')),
      ledger,
      logger: { info() {}, warn() {}, error() {} },
    }).node,
  )

// Envelopes with fresh ids each time (a repeated id would be a duplicate, not forwarded). The
// table gives each envelope a new student; the heap run cycles through `HEAP_STUDENTS` students,
// as a proxy serving a school would. Each student's events cover consecutive 35-second windows,
// further back with each envelope (overlapping windows would be trimmed by the time budget and
// not forwarded). Built before the clock starts.
const now = Date.now()
const HEAP_STUDENTS = 2000
let students = 0
const windowsUsed = new Map<string, number>()
/** An envelope of `events` events of student `who` (default: a new one), and that student's header value. */
const envelope = (events: number, who = String(++students)) => {
  const actor = studentOf(who)
  const first = windowsUsed.get(who) ?? 0
  windowsUsed.set(who, first + events)
  const data = Array.from({ length: events }, (_, i) =>
    buildTimeSpentEvent({ actor, object: { id: 'https://app.example/l/1', subject: 'Math', app: { name: 'Bench' } }, items: [{ type: 'active', value: 30 }, { type: 'inactive', value: 5 }], startDate: now - 35_000 * (first + i + 1), endDate: now - 35_000 * (first + i) }),
  )
  return { who, body: JSON.stringify({ sensor: 'https://app.example', sendTime: new Date().toISOString(), dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2', data }) }
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
const post = (url: string, { who, body }: { who: string; body: string }) =>
  new Promise<void>((resolve, reject) => {
    const req = request(`${url}/api/caliper`, { method: 'POST', agent, headers: { 'content-type': 'application/json', origin: url, 'x-student': who } }, (res) => {
      let answer = ''
      res.on('data', (c) => (answer += c))
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}: ${answer}`))))
    })
    req.on('error', reject)
    req.end(body)
  })

/** `count` requests of `events` events, `CONCURRENCY` at a time: requests/s and latencies. */
async function load(url: string, events: number, count: number, cycle?: number) {
  const bodies = Array.from({ length: count }, (_, i) => envelope(events, cycle ? String(1 + (i % cycle)) : undefined))
  const latencies: number[] = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const body = bodies[next++]!
        const t = performance.now()
        await post(url, body)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  latencies.sort((a, b) => a - b)
  // CPU of this process (clients, proxy or bare server, platform) per request: steadier than
  // requests/s on a shared machine. The database's own CPU is not in it.
  const cpuUs = (used.user + used.system) / count
  return { rps: count / seconds, p50: latencies[Math.floor(count / 2)]!, p99: latencies[Math.floor(count * 0.99)]!, cpuUs }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const dir = mkdtempSync(join(tmpdir(), 'proxy-bench-'))
const postgres = await startPostgres()
const pool = new pg.Pool({ connectionString: postgres.url, max: 10 })
endsQuietly(pool)
const onlyArg = process.argv.indexOf('--ledgers')
const only = onlyArg > 0 ? process.argv[onlyArg + 1]!.split(',') : undefined
const ledgers = ([
  ['memory', () => createMemoryLedger()],
  ['SQLite', () => createSqliteLedger(new Database(join(dir, `ledger-${randomUUID()}.db`)))],
  ['PostgreSQL', () => createPostgresLedger(pool, { table: `bench_${randomUUID().slice(0, 8)}` })],
] as Array<[string, () => CaliperLedger]>).filter(([name]) => !only || only.includes(name))

console.log(`Proxy benchmark (Node ${process.version}, ${CONCURRENCY} concurrent keep-alive clients, 600/300/60 requests per run of 1/10/100 events, medians of 3 interleaved runs)\n`)
if (!process.argv.includes('--heap-only')) await table()

/** The table: each envelope size and ledger beside the bare forwarder. */
async function table() {
  console.log('events  ledger        proxy req/s   p50 ms   p99 ms   bare req/s   p50 ms   p99 ms   ratio   CPU ratio   target')
  for (const events of [1, 10, 100]) {
    for (const [name, make] of ledgers) {
      const proxy = await proxyServer(make())
      await load(proxy.url, events, 20) // warm-up: token, JIT, table creation
      await load(bare.url, events, 20)
      const runs = { proxy: [] as Array<Awaited<ReturnType<typeof load>>>, bare: [] as Array<Awaited<ReturnType<typeof load>>> }
      for (let round = 0; round < 3; round++) {
        runs.bare.push(await load(bare.url, events, REQUESTS[events]!))
        runs.proxy.push(await load(proxy.url, events, REQUESTS[events]!))
      }
      const m = (side: 'proxy' | 'bare', key: 'rps' | 'p50' | 'p99') => median(runs[side].map((r) => r[key]))
      const ratio = median(runs.proxy.map((r, i) => r.rps / runs.bare[i]!.rps))
      const cpuRatio = median(runs.proxy.map((r, i) => runs.bare[i]!.cpuUs / r.cpuUs))
      console.log(
        `${String(events).padStart(6)}  ${name.padEnd(12)} ${fmt(m('proxy', 'rps')).padStart(11)} ${fmt(m('proxy', 'p50'), 1).padStart(8)} ${fmt(m('proxy', 'p99'), 1).padStart(8)}` +
          ` ${fmt(m('bare', 'rps')).padStart(12)} ${fmt(m('bare', 'p50'), 1).padStart(8)} ${fmt(m('bare', 'p99'), 1).padStart(8)}   ${fmt(ratio, 2)}×   ${fmt(cpuRatio, 2).padStart(8)}×   ≥ ${events === 100 ? '0.4' : '0.6'}×`,
      )
      proxy.server.close()
    }
  }
}

// Heap: the SQLite ledger keeps ids outside the JS heap, so what grows here is the proxy's own.
if (HEAP_REQUESTS > 0) {
  const proxy = await proxyServer(createSqliteLedger(new Database(join(dir, 'heap.db'))))
  const heap = () => {
    gc()
    return process.memoryUsage().heapUsed / 1024 / 1024
  }
  const marks: string[] = []
  let done = 0
  for (const at of [HEAP_REQUESTS / 5, HEAP_REQUESTS / 2, HEAP_REQUESTS]) {
    while (done < at) {
      const batch = Math.min(2000, at - done)
      await load(proxy.url, 1, batch, HEAP_STUDENTS)
      done += batch
    }
    marks.push(`${fmt(done)}: ${fmt(heap(), 1)} MB`)
  }
  console.log(`\nHeap after GC over ${fmt(HEAP_REQUESTS)} one-event requests of ${fmt(HEAP_STUDENTS)} students (SQLite ledger): ${marks.join(', ')}`)
  proxy.server.close()
}

agent.destroy()
await pool.end()
await postgres.stop()
platform.server.close()
bare.server.close()
rmSync(dir, { recursive: true, force: true })
