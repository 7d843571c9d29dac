import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerClaim, type LedgerOptions } from '../../store/ledger.js'
import { isRedisCluster, type RedisCommander } from './redisCommander.js'
import { CLAIM, TRANSITION } from './redisLedgerScripts.js'
import { createScriptRunner } from './redisScripts.js'
import { createRedisRateLimit } from './redisRateLimit.js'
import { createRedisTimeBudget } from './redisTimeBudget.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'

/** Options of the Redis ledger (`createRedisLedger`). */
export interface RedisLedgerOptions extends LedgerOptions {
  /** Prefix of the ledger's keys (the time budget's too). Default `caliper-ledger:`. */
  prefix?: string
  /**
   * A clock to use instead of the server's, for leases, holds, retention and the time budget
   * (tests, `ledgerConformance`). Leave it unset in production: with the server's clock,
   * instances whose clocks are skewed still agree when a lease ends.
   */
  now?: () => number
}

/** The Redis ledger: a ledger, time budget and rate-limit store, and the ledger for one student's ids. */
export interface RedisLedger extends CaliperLedger, TimeBudget, RateLimitStore {
  /** The ledger for one student's ids, keyed `<prefix>{<student>}:<id>` (one hash slot). */
  forStudent(studentId: string): CaliperLedger
}

/**
 * A ledger in Redis, for many proxy instances and serverless route handlers, on one server or a
 * Redis Cluster (`createCluster`). Claims, renewals, commits and releases are small Lua scripts,
 * each atomic on the server, called by hash, and a claim carries an owner token that is checked
 * before it is renewed, committed or released. Keys expire by themselves (`PX`), so there is
 * nothing to sweep. Use a Redis that persists (AOF or RDB) and is not evicting keys
 * (`maxmemory-policy noeviction`): a lost key is an id forwarded again.
 * It is also the students' time budget (see `createRedisTimeBudget`) and rate limits
 * (`createRedisRateLimit`), shared by every instance.
 *
 * The proxy keeps each student's ids under `<prefix>{<student>}:<id>` (`forStudent`): one
 * request's ids and the student's time budget then share a cluster hash slot, so each script
 * runs on one node. Ids claimed without a student (`claim` on the ledger itself) are keyed
 * `<prefix><id>`, the layout before per-student keys; on one server, a student's claim also
 * reads an id's key in that layout while it lasts (at most `ttlMs`), so nothing delivered
 * before an upgrade is forwarded again.
 *
 * @example
 * import { createClient } from 'redis'
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 *   .on('error', (error) => console.error('Redis:', error.message))
 *   .connect()
 * const ledger = createRedisLedger(client)
 */
export function createRedisLedger(client: RedisCommander, options: RedisLedgerOptions = {}): RedisLedger {
  const prefix = options.prefix ?? 'caliper-ledger:'
  const ttl = String(options.ttlMs ?? DEFAULT_LEDGER_TTL_MS)
  const runScript = createScriptRunner(client)
  // The last argument of every ledger script: the injected clock, or '' for the server's.
  const run = (script: string, keys: string[], args: string[]) => runScript(script, keys, [...args, options.now ? String(options.now()) : ''])
  // A cluster never held the old layout: its multi-key scripts could not run there.
  const readsOldKeys = !isRedisCluster(client)
  const oldKey = (id: string) => prefix + id

  const ledgerOn = (keyOf: (id: string) => string, checkOldKeys: boolean): CaliperLedger => {
    const transition = async (ids: string[], owner: string, action: string, ms = 0) => {
      const unique = [...new Set(ids)]
      if (!unique.length) return []
      const done = new Set((await run(TRANSITION, unique.map(keyOf), [owner, action, String(ms), ttl])) as string[])
      return unique.filter((id) => done.has(keyOf(id)))
    }
    return {
      async claim(ids, owner, leaseMs) {
        const unique = [...new Set(ids)]
        const result: LedgerClaim = { claimed: [], delivered: [], doubtful: [] }
        if (!unique.length) return result
        const keys = checkOldKeys ? [...unique.map(keyOf), ...unique.map(oldKey)] : unique.map(keyOf)
        const states = (await run(CLAIM, keys, [owner, String(leaseMs), ttl, checkOldKeys ? '1' : '0'])) as string[]
        unique.forEach((id, i) => {
          if (states[i] === 'delivered') result.delivered.push(id)
          if (states[i] === 'claimed' || states[i] === 'doubtful') result.claimed.push(id)
          if (states[i] === 'doubtful') result.doubtful.push(id)
        })
        return result
      },
      renew: (ids, owner, leaseMs) => transition(ids, owner, 'renew', leaseMs),
      commit: async (ids, owner) => void (await transition(ids, owner, 'commit')),
      release: async (ids, owner) => void (await transition(ids, owner, 'release')),
      markInDoubt: async (ids, owner, holdMs) => void (await transition(ids, owner, 'doubt', holdMs)),
    }
  }

  return {
    ...createRedisRateLimit(runScript, prefix),
    ...createRedisTimeBudget(runScript, prefix, { ttlMs: budgetTtl(Number(ttl)), ...(options.now && { now: options.now }) }),
    ...ledgerOn(oldKey, false),
    forStudent: (studentId) => ledgerOn((id) => `${prefix}{${studentId}}:${id}`, readsOldKeys),
  }
}
