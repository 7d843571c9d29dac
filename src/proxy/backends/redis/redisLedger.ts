import { DEFAULT_LEDGER_TTL_MS, type CaliperLedger, type LedgerOptions } from '../../store/ledger.js'
import type { RedisCommander } from './redisCommander.js'
import { CLAIM, TRANSITION } from './redisLedgerScripts.js'
import { createRedisRateLimit } from './redisRateLimit.js'
import { createRedisTimeBudget } from './redisTimeBudget.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'
import { budgetTtl, type TimeBudget } from '../../store/timeBudget.js'

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

/**
 * A ledger in Redis, for many proxy instances and serverless route handlers. Claims, renewals,
 * commits and releases are small Lua scripts, each atomic on the server, and a claim carries an
 * owner token that is checked before it is renewed, committed or released. Keys expire by
 * themselves (`PX`), so there is nothing to sweep. Use a Redis that persists (AOF or RDB) and is
 * not evicting keys (`maxmemory-policy noeviction`): a lost key is an id forwarded again.
 * It is also the students' time budget (see `createRedisTimeBudget`) and rate limits
 * (`createRedisRateLimit`), shared by every instance.
 *
 * @example
 * import { createClient } from 'redis'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const ledger = createRedisLedger(client)
 */
export function createRedisLedger(client: RedisCommander, options: RedisLedgerOptions = {}): CaliperLedger & TimeBudget & RateLimitStore {
  const prefix = options.prefix ?? 'caliper-ledger:'
  const ttl = String(options.ttlMs ?? DEFAULT_LEDGER_TTL_MS)
  const keys = (ids: string[]) => [...new Set(ids)].map((id) => prefix + id)
  const run = async (script: string, ids: string[], args: string[]) => {
    const k = keys(ids)
    if (!k.length) return []
    const now = options.now ? String(options.now()) : ''
    return (await client.sendCommand(['EVAL', script, String(k.length), ...k, ...args, now])) as string[]
  }
  const transition = async (ids: string[], owner: string, action: string, ms = 0) =>
    (await run(TRANSITION, ids, [owner, action, String(ms), ttl])).map((key) => key.slice(prefix.length))

  return {
    ...createRedisRateLimit(client, prefix),
    ...createRedisTimeBudget(client, prefix, { ttlMs: budgetTtl(Number(ttl)), ...(options.now && { now: options.now }) }),
    async claim(ids, owner, leaseMs) {
      const unique = [...new Set(ids)]
      const states = await run(CLAIM, unique, [owner, String(leaseMs), ttl])
      const result = { claimed: [] as string[], delivered: [] as string[], doubtful: [] as string[] }
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
