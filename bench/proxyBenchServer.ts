// One server of `npm run bench:proxy`, in a process of its own (started by bench/proxy.ts with
// IPC): the fake platform, one of the two baselines, or the proxy on one ledger. It prints its URL
// as its first IPC message, and answers `stats` with its request count, CPU time, heap and the
// round trips its ledger made (the driver is wrapped to count them).
import { Agent, createServer, request, type IncomingMessage, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createClient } from 'redis'
import {
  createCaliperProxy,
  createMemoryLedger,
  createPostgresLedger,
  createRedisLedger,
  createSqliteLedger,
  type CaliperLedger,
  type SqliteDatabase,
} from '../src/proxy/index.js'

export type ServerKind = 'platform' | 'lean' | 'fetch' | 'memory' | 'SQLite' | 'PostgreSQL' | 'Redis'
const [kind, upstream, database] = process.argv.slice(2) as [ServerKind, string, string]
let requests = 0
let roundTrips = 0

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
  })

// The platform: a token endpoint and a Caliper endpoint that reads the body and says yes.
const platform: RequestListener = async (req, res) => {
  await readBody(req)
  if (req.url === '/token') return void res.end('{"access_token":"bench","expires_in":3600}')
  res.setHeader('content-type', 'application/json')
  res.end('{"status":"success"}')
}

// The leanest forwarder: what any proxy must at least do. It reads the body, POSTs it upstream
// with `http.request` on a keep-alive agent, and passes the platform's answer back.
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const lean: RequestListener = async (req, res) => {
  const body = await readBody(req)
  const out = request(`${upstream}/caliper/event`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer bench', 'content-length': body.length } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' })
    answer.pipe(res)
  })
  out.on('error', () => res.writeHead(502).end())
  out.end(body)
}

// The bench's first baseline: forwards with `fetch`, parses the JSON and builds an answer.
const viaFetch: RequestListener = async (req, res) => {
  const body = (await readBody(req)).toString()
  const answer = await fetch(`${upstream}/caliper/event`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body })
  await answer.arrayBuffer()
  const ids = (JSON.parse(body) as { data: Array<{ id: string }> }).data.map((e) => e.id)
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ status: 'success', accepted: ids, duplicates: [], rejected: [] }))
}

/** The ledger, on a driver wrapped to count its round trips (statements, commands, transactions). */
async function ledgerOf(name: ServerKind): Promise<CaliperLedger> {
  const table = `bench_${process.pid}`
  if (name === 'memory') return createMemoryLedger()
  if (name === 'SQLite') {
    const db = new Database(join(database, `ledger-${process.pid}.db`))
    const transaction: SqliteDatabase['transaction'] = (fn) => {
      const wrapped = db.transaction(fn)
      return Object.assign((...args: Parameters<typeof fn>) => wrapped(...args), {
        immediate: (...args: Parameters<typeof fn>) => (roundTrips++, wrapped.immediate(...args)),
      })
    }
    return createSqliteLedger({ exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), pragma: (s, o) => db.pragma(s, o), transaction })
  }
  if (name === 'PostgreSQL') {
    const pool = new pg.Pool({ connectionString: database, max: 16 })
    pool.on('error', () => {})
    return createPostgresLedger({ query: (text, values) => (roundTrips++, pool.query(text, values)) }, { table })
  }
  const client = createClient({ url: database })
  client.on('error', () => {})
  await client.connect()
  return createRedisLedger({ sendCommand: (args: string[]) => (roundTrips++, client.sendCommand(args)) }, { prefix: `${table}:` })
}

const proxyOn = async (name: ServerKind): Promise<RequestListener> =>
  createCaliperProxy({
    caliperUrl: upstream,
    tokenUrl: `${upstream}/token`,
    clientId: 'bench',
    clientSecret: 'bench-secret',
    // Each request is a different student (as on a real proxy), so neither the per-student rate
    // limit nor the time budget turns the load into 429s or trimmed events.
    authorize: (req) => ({ id: `https://sis.example/users/${req.headers.get('x-student') ?? 1}`, email: 'bench@example.com' }),
    ledger: await ledgerOf(name),
    logger: { info() {}, warn() {}, error() {} },
  }).node

const handler = kind === 'platform' ? platform : kind === 'lean' ? lean : kind === 'fetch' ? viaFetch : await proxyOn(kind)
const server = createServer((req, res) => {
  requests++
  void handler(req, res)
})
server.keepAliveTimeout = 120_000 // idle between runs: the clients' sockets must stay valid
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })

const gc = (globalThis as { gc?: () => void }).gc
process.on('message', (message: string) => {
  if (message === 'stop') {
    server.close()
    process.exit(0) // the CPU profile, if any, is written on exit
  }
  gc?.()
  const cpu = process.cpuUsage()
  process.send!({ requests, roundTrips, cpuUs: cpu.user + cpu.system, heapMb: process.memoryUsage().heapUsed / 1024 / 1024 })
})
