// Real PostgreSQL and Redis servers for the Node tests, from Debian's packages: each in a fresh
// temporary directory, on a free loopback port, stopped afterwards. They die with the test
// process too (parent-death signal), so a crashed run leaves no server behind.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after, before } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'

export interface RunningServer {
  port: number
  /** `postgres://…` or `redis://…` */
  url: string
  stop(): Promise<void>
}

const isRoot = process.getuid?.() === 0

function findBinary(name: string, pkg: string): string {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : []),
  ]
  for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name)
  throw new Error(`${name} not found on PATH or in /usr/lib/postgresql/*/bin: install the Debian package "${pkg}" (apt-get install ${pkg})`)
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Runs as `user` when we are root (PostgreSQL refuses root); dies with this process. */
function command(binary: string, args: string[], user?: string): [string, string[]] {
  const who = isRoot && user ? [`--reuid=${user}`, `--regid=${user}`, '--init-groups'] : []
  return ['setpriv', [...who, '--pdeathsig', 'INT', '--', binary, ...args]]
}

function start(binary: string, args: string[], ready: RegExp, user?: string): Promise<ChildProcess> {
  const [cmd, argv] = command(binary, args, user)
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${binary} not ready after 60 s:\n${output}`)), 60_000)
    const fail = (error: Error) => {
      clearTimeout(timer)
      killGroup(child, 'SIGKILL')
      reject(error)
    }
    const watch = (chunk: Buffer) => {
      output += chunk
      if (ready.test(output)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout!.on('data', watch)
    child.stderr!.on('data', watch)
    child.on('exit', (code) => fail(new Error(`${binary} exited (${code}):\n${output}`)))
  })
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess, signal: NodeJS.Signals, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    killGroup(child, signal)
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  child.stdout?.destroy()
  child.stderr?.destroy()
  rmSync(dir, { recursive: true, force: true })
}

/**
 * A fresh PostgreSQL cluster (trust auth on loopback, durability off: it is thrown away), or
 * with PostgreSQL's durable defaults (`durable`, for the benchmark: fsync on every commit).
 */
export async function startPostgres({ durable = false } = {}): Promise<RunningServer> {
  const initdb = findBinary('initdb', 'postgresql')
  const postgres = findBinary('postgres', 'postgresql')
  const dir = mkdtempSync(join(tmpdir(), 'tt-postgres-'))
  if (isRoot) chownSync(dir, ...ids('postgres'))
  const data = join(dir, 'data')
  const [cmd, argv] = command(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], 'postgres')
  const init = spawnSync(cmd, argv, { encoding: 'utf8' })
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`)
  }
  const port = await freePort()
  const settings = [...(durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']), 'listen_addresses=127.0.0.1', 'max_connections=200']
  const child = await start(
    postgres,
    ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])],
    /ready to accept connections/,
    'postgres',
  )
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => stopGroup(child, 'SIGINT', dir), // SIGINT: fast shutdown, without waiting for clients
  }
}

/**
 * A Redis server that keeps nothing on disk, or (`durable`) appends every write to its AOF,
 * fsynced each second; on `port` if given (a server started again where a stopped one was, as
 * after a restart). `args` are more settings.
 */
export async function startRedis(options: { durable?: boolean; port?: number; args?: string[] } = {}): Promise<RunningServer> {
  const redis = findBinary('redis-server', 'redis-server')
  const dir = mkdtempSync(join(tmpdir(), 'tt-redis-'))
  const port = options.port ?? (await freePort())
  const child = await start(
    redis,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.durable ? 'yes' : 'no', '--dir', dir, ...(options.args ?? [])],
    /Ready to accept connections/,
  )
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => stopGroup(child, 'SIGTERM', dir) }
}

export interface RunningCluster {
  /** One `redis://…` per master node; any of them serves as a root node for `createCluster`. */
  urls: string[]
  stop(): Promise<void>
}

/**
 * A Redis Cluster of `size` masters and no replicas, each a `redis-server --cluster-enabled yes`
 * on free ports (its cluster bus too), joined by `redis-cli --cluster create` (Debian's
 * `redis-tools`, which `redis-server` depends on); resolves once every node says the cluster is ok.
 */
export async function startRedisCluster(size = 3): Promise<RunningCluster> {
  const cli = findBinary('redis-cli', 'redis-tools')
  const nodes: RunningServer[] = []
  const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())))
  try {
    for (let i = 0; i < size; i++) {
      const busPort = await freePort()
      nodes.push(await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)] }))
    }
    const run = promisify(execFile)
    await run(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'])
    for (const node of nodes) {
      for (let tries = 0; ; tries++) {
        const { stdout } = await run(cli, ['-p', String(node.port), 'cluster', 'info'])
        if (stdout.includes('cluster_state:ok')) break
        if (tries > 300) throw new Error(`the Redis Cluster did not come up:\n${stdout}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { urls: nodes.map((n) => n.url), stop }
}

function ids(user: string): [number, number] {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout)
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout)
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || !uid) {
    throw new Error(`running as root, PostgreSQL needs the unprivileged user "${user}" (the Debian package "postgresql" creates it)`)
  }
  return [uid, gid]
}

/**
 * Lets a `pg` pool and its connections hear the server stop at the end of a test without an
 * unhandled 'error': a connection still open when the server goes ("terminating connection due to
 * administrator command") reports it on the pool, or on the client once the pool let it go.
 */
export function endsQuietly<P extends { on(event: 'error', listener: () => void): unknown; on(event: 'connect', listener: (client: { on(event: 'error', listener: () => void): unknown }) => void): unknown }>(pool: P): P {
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}

/**
 * For a describe block: a PostgreSQL and a Redis server started before its tests and a temporary
 * folder; after them, `closers` (pools, clients, files) run, then the servers stop.
 */
export function useServers(prefix: string) {
  const used = {
    postgres: undefined as unknown as RunningServer,
    redis: undefined as unknown as RunningServer,
    dir: mkdtempSync(join(tmpdir(), prefix)),
    closers: [] as Array<() => Promise<unknown>>,
  }
  before(async () => {
    ;[used.postgres, used.redis] = await Promise.all([startPostgres(), startRedis()])
  })
  after(async () => {
    await Promise.all(used.closers.map((close) => close()))
    await Promise.all([used.postgres?.stop(), used.redis?.stop()])
    rmSync(used.dir, { recursive: true, force: true })
  })
  return used
}

/**
 * For a describe block: a PostgreSQL server and a pool of `max` connections on it, ended and
 * stopped after its tests. What it returns queries that pool (so it can be given to a ledger
 * where the block is declared, before the server is up).
 */
export function usePostgresPool(max = 4): Pick<pg.Pool, 'query'> {
  let server: RunningServer | undefined
  let pool: pg.Pool | undefined
  before(async () => {
    server = await startPostgres()
    pool = endsQuietly(new pg.Pool({ connectionString: server.url, max }))
  })
  after(async () => {
    await pool?.end()
    await server?.stop()
  })
  return { query: ((...args: Parameters<pg.Pool['query']>) => (pool!.query as (...a: unknown[]) => unknown)(...args)) as pg.Pool['query'] }
}
