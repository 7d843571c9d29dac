import type { CreditClaim, PlacedSpan } from '../../store/creditedTime.js'
import { placeCredit } from '../../store/creditedTime.js'
import { reserveOptimistically } from '../../store/optimisticReserve.js'
import type { RedisCommander } from './redisCommander.js'
import { READ_SPANS, RELEASE_SPANS, WRITE_SPANS } from './redisTimeBudgetScripts.js'
import { overlapping, windowOf, type TimeBudget, type TimeBudgetOptions } from '../../store/timeBudget.js'

const member = (span: PlacedSpan) => `${span.start}:${span.end}:${span.id}`
const span = (m: string): PlacedSpan => {
  const [, start, end, id] = /^(\d+):(\d+):(.*)$/.exec(m)!
  return { id: id!, start: Number(start), end: Number(end) }
}

/**
 * The time budget in Redis, under the ledger's prefix, three keys per student (see
 * `redisTimeBudgetScripts`). A reservation reads the student's spans and counter in one script,
 * places the claims in JavaScript (`placeCredit`, the same code as every other ledger), then
 * writes in a script that changes anything only if the counter is still the one read. Two
 * instances placing the same student's time at once: one write wins, the other reads again.
 * The keys expire `ttlMs` after the student's last reservation.
 */
export function createRedisTimeBudget(client: RedisCommander, prefix: string, options: TimeBudgetOptions): TimeBudget {
  const now = options.now ?? Date.now
  const keys = (student: string) => ['credit', 'credit-v', 'credit-ids'].map((kind) => `${prefix}${kind}:{${student}}`)
  const run = async (script: string, student: string, args: Array<string | number>) =>
    (await client.sendCommand(['EVAL', script, '3', ...keys(student), ...args.map(String)])) as unknown

  return {
    async reserveTime(student, claims: CreditClaim[]) {
      const { from, to } = windowOf(claims)
      const ids = claims.map((c) => c.id)
      return reserveOptimistically(async () => {
        const [seen, ...members] = (await run(READ_SPANS, student, [from, to, now() - options.ttlMs])) as string[]
        const { granted, placed } = placeCredit(overlapping(members.map(span), claims), claims)
        const won = await run(WRITE_SPANS, student, [seen!, options.ttlMs, ids.length, ...ids, ...placed.map(member)])
        return Number(won) === 1 ? granted : undefined
      })
    },
    async releaseTime(student, eventIds) {
      if (eventIds.length) await run(RELEASE_SPANS, student, eventIds)
    },
  }
}
