// npm run bench:proxy: the reference proxy's throughput, beside two baselines, each server in a
// process of its own (figures, not pass/fail):
//   - the leanest forwarder: reads the body and POSTs it upstream with `http.request` on a
//     keep-alive agent (what any proxy must at least do);
//   - the fetch forwarder: forwards with `fetch`, parses the JSON and builds an answer.
// For envelopes of 1, 10 and 100 events, with the memory, SQLite, PostgreSQL and Redis ledgers:
// requests/s, p50/p99 latency, the ratio to each baseline (targets against the leanest: ≥ 0.25×
// for memory and Redis, ≥ 0.12× for SQLite and PostgreSQL, at 1 and 10 events), the same ratio
// in CPU time per request (steadier on a shared machine; without the database's own CPU), and
// the ledger's round trips per request (PostgreSQL statements, Redis commands, SQLite
// transactions, counted by wrapping the driver). Then the heap of a SQLite proxy over 50,000
// requests. The fake platform, each forwarder, each proxy and the 16 keep-alive load clients
// run in separate processes; PostgreSQL and Redis run with their durable settings.
// Options: `--quick` (one round of fewer requests: a few minutes), `--ledgers memory,SQLite`,
// `--heap-requests N`, `--heap-only`, `--profile` (a CPU profile of the memory proxy serving
// one-event requests, its hottest functions printed, the file kept).
// Needs PostgreSQL's and Redis's binaries (Debian packages `postgresql`, `redis-server`).
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres, startRedis, type RunningServer } from '../test/node/support/databaseServers.js'
import type { LoadOrder, LoadResult } from './proxyBenchLoad.js'
import type { ServerKind } from './proxyBenchServer.js'

const arg = (name: string) => {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}
const CONCURRENCY = 16
const quick = process.argv.includes('--quick')
const profile = process.argv.includes('--profile')
const ROUNDS = quick ? 1 : 3
// Requests per measurement, by envelope size.
const REQUESTS: Record<number, number> = profile ? { 1: 6000, 10: 0, 100: 0 } : quick ? { 1: 1000, 10: 500, 100: 80 } : { 1: 3000, 10: 1500, 100: 300 }
const HEAP_REQUESTS = Number(arg('--heap-requests') ?? (quick || profile ? 0 : 50_000))
const HEAP_STUDENTS = 2000
const TARGETS: Record<string, string> = { memory: '0.25', Redis: '0.25', SQLite: '0.12', PostgreSQL: '0.12' }
const ledgers = (arg('--ledgers')?.split(',') ?? (profile ? ['memory'] : ['memory', 'SQLite', 'PostgreSQL', 'Redis'])) as ServerKind[]

const dir = mkdtempSync(join(tmpdir(), 'proxy-bench-'))
const databases: Partial<Record<ServerKind, RunningServer>> = {}
if (ledgers.includes('PostgreSQL')) databases.PostgreSQL = await startPostgres({ durable: true })
if (ledgers.includes('Redis')) databases.Redis = await startRedis({ durable: true })
const children: ChildProcess[] = []

interface Stats {
  requests: number
  roundTrips: number
  cpuUs: number
  heapMb: number
}
/** A server of `kind` in its own process, and a way to read its counters. */
async function serve(kind: ServerKind, upstream = '', flags: string[] = []) {
  const database = kind === 'SQLite' ? dir : (databases[kind]?.url ?? '')
  const child = fork(new URL('./proxyBenchServer.ts', import.meta.url), [kind, upstream, database], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...flags],
  })
  children.push(child)
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', resolve as (m: unknown) => void))
  const stats = () => {
    const answer = new Promise<Stats>((resolve) => child.once('message', resolve as (m: unknown) => void))
    child.send('stats')
    return answer
  }
  return { kind, url, child, stats }
}
type Served = Awaited<ReturnType<typeof serve>>

const clients = fork(new URL('./proxyBenchLoad.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] })
children.push(clients)
await new Promise((resolve) => clients.once('message', resolve))
let prefixes = 0
const load = (url: string, events: number, count: number, cycle?: number) => {
  const answer = new Promise<LoadResult>((resolve) => clients.once('message', resolve as (m: unknown) => void))
  clients.send({ url, concurrency: CONCURRENCY, events, count, prefix: cycle ? 'heap' : `s${++prefixes}`, ...(cycle && { cycle }) } satisfies LoadOrder)
  return answer
}

interface Run extends LoadResult {
  cpuUs: number
  roundTrips: number
}
/** One measurement of `server`: the load's figures and the server's CPU and round trips per request. */
async function measure(server: Served, events: number, count: number): Promise<Run> {
  const before = await server.stats()
  const result = await load(server.url, events, count)
  const after = await server.stats()
  const served = after.requests - before.requests
  return { ...result, cpuUs: (after.cpuUs - before.cpuUs) / served, roundTrips: (after.roundTrips - before.roundTrips) / served }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const platform = await serve('platform')
const lean = await serve('lean', platform.url)
const viaFetch = await serve('fetch', platform.url)
const cpuProfiles = join(dir, 'profiles')
const proxies = await Promise.all(ledgers.map((kind) => serve(kind, platform.url, profile ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfiles}`] : [])))

console.log(
  `Proxy benchmark (Node ${process.version}; each server its own process; ${CONCURRENCY} keep-alive clients; a new student and new ids per request;` +
    ` ${REQUESTS[1]}/${REQUESTS[10]}/${REQUESTS[100]} requests per run of 1/10/100 events; ${ROUNDS === 1 ? 'one run' : `medians of ${ROUNDS} interleaved runs`})\n`,
)
if (!process.argv.includes('--heap-only')) await table()

/** The table: each envelope size and ledger beside both baselines. */
async function table() {
  console.log('events  server        req/s   p50 ms   p99 ms   × leanest   × fetch   CPU × leanest   round trips   target (× leanest)')
  for (const events of profile ? [1] : [1, 10, 100]) {
    const servers = [lean, viaFetch, ...proxies]
    for (const server of servers) await load(server.url, events, 50) // warm-up: token, JIT, schema
    const runs = new Map<Served, Run[]>(servers.map((s) => [s, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) runs.get(server)!.push(await measure(server, events, REQUESTS[events]!))
    }
    const of = (server: Served, key: keyof Run) => median(runs.get(server)!.map((r) => r[key]))
    const ratio = (server: Served, base: Served) => median(runs.get(server)!.map((r, i) => r.rps / runs.get(base)![i]!.rps))
    const cpuRatio = (server: Served) => median(runs.get(server)!.map((r, i) => runs.get(lean)![i]!.cpuUs / r.cpuUs))
    for (const server of servers) {
      const name = server === lean ? 'leanest' : server === viaFetch ? 'fetch' : server.kind
      const proxy = server !== lean && server !== viaFetch
      const failures = runs.get(server)!.reduce((sum, r) => sum + r.failures, 0)
      console.log(
        `${String(events).padStart(6)}  ${name.padEnd(11)} ${fmt(of(server, 'rps')).padStart(7)} ${fmt(of(server, 'p50'), 1).padStart(8)} ${fmt(of(server, 'p99'), 1).padStart(8)}` +
          `   ${fmt(ratio(server, lean), 2).padStart(8)}× ${fmt(ratio(server, viaFetch), 2).padStart(8)}×   ${fmt(cpuRatio(server), 2).padStart(12)}×` +
          `   ${proxy ? fmt(of(server, 'roundTrips'), 2).padStart(11) : ''.padStart(11)}   ${proxy && events < 100 ? `≥ ${TARGETS[server.kind]}×` : ''}` +
          `${failures ? `   (${failures} requests failed)` : ''}`,
      )
    }
  }
}

// Heap: the SQLite ledger keeps ids outside the JS heap, so what grows here is the proxy's own.
if (HEAP_REQUESTS > 0) {
  const proxy = await serve('SQLite', platform.url)
  const marks: string[] = []
  let done = 0
  for (const at of [HEAP_REQUESTS / 5, HEAP_REQUESTS / 2, HEAP_REQUESTS]) {
    while (done < at) {
      const batch = Math.min(2000, at - done)
      await load(proxy.url, 1, batch, HEAP_STUDENTS)
      done += batch
    }
    marks.push(`${fmt(done)}: ${fmt((await proxy.stats()).heapMb, 1)} MB`)
  }
  console.log(`\nHeap after GC over ${fmt(HEAP_REQUESTS)} one-event requests of ${fmt(HEAP_STUDENTS)} students (SQLite ledger): ${marks.join(', ')}`)
}

for (const child of children) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.send('stop')
  await exited
}
await Promise.all(Object.values(databases).map((d) => d.stop()))
if (profile) printProfile()
rmSync(dir, { recursive: true, force: true })

/** The profiled proxy's CPU time by file and its hottest functions (self time, idle left out), and where its profile is kept. */
function printProfile() {
  // The largest profile is the main thread's (tsx's loader thread writes one too).
  const files = readdirSync(cpuProfiles).map((f) => readFileSync(join(cpuProfiles, f), 'utf8'))
  const text = files.sort((a, b) => b.length - a.length)[0]!
  const kept = join(tmpdir(), `proxy-${Date.now()}.cpuprofile`)
  writeFileSync(kept, text)
  const { nodes, samples, timeDeltas } = JSON.parse(text) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>
    samples: number[]
    timeDeltas: number[]
  }
  const self = new Map<number, number>()
  samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (timeDeltas[i] ?? 0)))
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us)
  for (const node of nodes) {
    const { functionName, url } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') continue
    const file = url.replace(/^.*\/(node_modules|src)\//, '$1/').replace(/^node_modules\/(@[^/]+\/)?([^/]+)\/.*/, 'node_modules/$1$2') || functionName
    add(byFunction, `${functionName || '(anonymous)'}  ${file}`, self.get(node.id) ?? 0)
    add(byFile, file, self.get(node.id) ?? 0)
  }
  const total = [...byFile.values()].reduce((a, b) => a + b, 0)
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([what, us]) => `${fmt((100 * us) / total, 1).padStart(6)}%  ${what}`).join('\n')
  console.log(`\nCPU profile of the memory proxy, ${fmt(total / 1000)} ms busy (profile kept at ${kept}). Self time by file:\n${top(byFile, 20)}`)
  console.log(`\nHottest functions:\n${top(byFunction, 25)}`)
}
