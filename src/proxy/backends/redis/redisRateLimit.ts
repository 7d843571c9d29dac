import type { RateLimitStore } from '../../store/rateLimitStore.js'
import type { RedisCommander } from './redisCommander.js'
import { TAKE_ALLOWANCE } from './redisRateLimitScript.js'

/**
 * The rate limits in Redis, under the ledger's prefix: one key per student (hash-tagged by the
 * student, as the time budget's), one script call per request.
 */
export function createRedisRateLimit(client: RedisCommander, prefix: string): RateLimitStore {
  return {
    async takeAllowance(student, cost, perMinute) {
      const args = [cost.requests, cost.events, perMinute.requests, perMinute.events].map(String)
      const wait = Number(await client.sendCommand(['EVAL', TAKE_ALLOWANCE, '1', `${prefix}rate:{${student}}`, ...args]))
      return wait > 0 ? wait : undefined
    },
  }
}
