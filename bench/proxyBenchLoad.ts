// The load clients of `npm run bench:proxy`, in a process of their own (started by bench/proxy.ts
// with IPC): `concurrency` keep-alive clients send `count` envelopes of `events` events to `url`,
// and answer with requests/s and latencies. Every envelope is a new student's, with new ids
// (a repeated id would be a duplicate, not forwarded), built before the clock starts; with
// `cycle`, students repeat (as a proxy serving a school would see them), each envelope taking
// the 35-second windows before that student's previous one (overlapping windows would be trimmed
// by the time budget and not forwarded).
import { Agent, request } from 'node:http'
import { buildTimeSpentEvent } from '../src/events/index.js'

export interface LoadOrder {
  url: string
  concurrency: number
  events: number
  count: number
  /** Student ids start with it: a new prefix, new students. */
  prefix: string
  cycle?: number
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  failures: number
}

// One socket per client, kept open between runs.
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const now = Date.now()
const windowsUsed = new Map<string, number>()

const envelope = (events: number, who: string) => {
  const actor = { id: `https://sis.example/users/${who}`, email: 'bench@example.com' }
  const first = windowsUsed.get(who) ?? 0
  windowsUsed.set(who, first + events)
  const data = Array.from({ length: events }, (_, i) =>
    buildTimeSpentEvent({
      actor,
      object: { id: 'https://app.example/l/1', subject: 'Math', app: { name: 'Bench' } },
      items: [{ type: 'active', value: 30 }, { type: 'inactive', value: 5 }],
      startDate: now - 35_000 * (first + i + 1),
      endDate: now - 35_000 * (first + i),
    }),
  )
  return { who, body: JSON.stringify({ sensor: 'https://app.example', sendTime: new Date().toISOString(), dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2', data }) }
}

const post = (url: string, { who, body }: { who: string; body: string }) =>
  new Promise<boolean>((resolve) => {
    const req = request(`${url}/api/caliper`, { method: 'POST', agent, headers: { 'content-type': 'application/json', origin: url, 'x-student': who } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
    })
    req.on('error', () => resolve(false))
    req.end(body)
  })

async function load({ url, concurrency, events, count, prefix, cycle }: LoadOrder): Promise<LoadResult> {
  const bodies = Array.from({ length: count }, (_, i) => envelope(events, cycle ? `${prefix}-${1 + (i % cycle)}` : `${prefix}-${i}`))
  const latencies: number[] = []
  let failures = 0
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const body = bodies[next++]!
        const t = performance.now()
        if (!(await post(url, body))) failures++
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { rps: count / seconds, p50: latencies[Math.floor(count / 2)]!, p99: latencies[Math.floor(count * 0.99)]!, failures }
}

process.on('message', (order: LoadOrder | 'stop') => {
  if (order === 'stop') {
    agent.destroy()
    process.exit(0)
  }
  void load(order).then((result) => process.send!(result))
})
process.send!('ready')
