// One proxy process of the multi-process test: a Postgres-backed proxy and a Redis-backed
// proxy, each on its own loopback port, forwarding to the test's flaky platform. Prints its
// ports as one JSON line; exits when its standard input closes (the test process is gone).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createClient } from 'redis'
import { createCaliperProxy, createPostgresLedger, createRedisLedger, type CaliperLedger } from '../../../src/proxy/index.js'

const env = (name: string): string => process.env[name] ?? ''
const PLATFORM_URL = env('PLATFORM_URL')
const student = { id: env('STUDENT_ID'), email: env('STUDENT_EMAIL') }

const lookup = async (ids: string[]) => {
  const response = await fetch(`${PLATFORM_URL}/lookup`, { method: 'POST', body: JSON.stringify(ids), signal: AbortSignal.timeout(5000) })
  if (!response.ok) throw new Error(`lookup answered ${response.status}`)
  return (await response.json()) as string[]
}

const serve = async (ledger: CaliperLedger): Promise<Server> => {
  const proxy = createCaliperProxy({
    caliperUrl: PLATFORM_URL,
    tokenUrl: `${PLATFORM_URL}/token`,
    clientId: 'multi',
    clientSecret: 'multi-secret',
    authorize: () => student,
    ledger,
    lookup,
    upstreamTimeoutMs: Number(env('UPSTREAM_TIMEOUT_MS')),
    tokenTimeoutMs: 5000,
    inDoubtHoldMs: 500,
    claimLeaseMs: 5000,
    logger: { info() {}, warn() {}, error() {} },
    rateLimit: false, // 200 clients of one student on purpose
  })
  const server = createServer(proxy.node)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

const pool = new pg.Pool({ connectionString: env('POSTGRES_URL'), max: 8 })
const redis = createClient({ url: env('REDIS_URL') })
await redis.connect()
const servers = [await serve(createPostgresLedger(pool)), await serve(createRedisLedger(redis))]
const [postgres, redisPort] = servers.map((s) => (s.address() as AddressInfo).port)
process.stdout.write(`${JSON.stringify({ postgres, redis: redisPort })}\n`)
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
