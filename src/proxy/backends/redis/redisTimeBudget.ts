import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { VersionedSpanStore } from '../../store/spanStore.js'
import type { RedisCommander } from './redisCommander.js'
import { READ_SPANS, RELEASE_SPANS, WRITE_SPANS } from './redisTimeBudgetScripts.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'

const member = (span: PlacedSpan) => `${span.start}:${span.end}:${span.id}`
const span = (m: string): PlacedSpan => {
  const [, start, end, id] = /^(\d+):(\d+):(.*)$/.exec(m)!
  return { id: id!, start: Number(start), end: Number(end) }
}

/**
 * The time budget's spans in Redis, under the ledger's prefix, three keys per student (see
 * `redisTimeBudgetScripts`). `readSpans` reads the student's spans and counter in one script;
 * `createTimeBudget` places the claims (`placeCredit`, the same code as every other ledger);
 * `writeSpans` changes anything only if the counter is still the one read. Two instances placing
 * the same student's time at once: one write wins, the other reads again. The keys expire
 * `ttlMs` after the student's last reservation.
 */
export function createRedisSpanStore(client: RedisCommander, prefix: string, options: TimeBudgetOptions): VersionedSpanStore {
  const now = options.now ?? Date.now
  const keys = (student: string) => ['credit', 'credit-v', 'credit-ids'].map((kind) => `${prefix}${kind}:{${student}}`)
  const run = async (script: string, student: string, args: Array<string | number>) =>
    (await client.sendCommand(['EVAL', script, '3', ...keys(student), ...args.map(String)])) as unknown

  return {
    async readSpans(student, from, to) {
      const [version, ...members] = (await run(READ_SPANS, student, [from, to, now() - options.ttlMs])) as string[]
      return { version: version!, spans: members.map(span) }
    },
    async writeSpans(student, seen, ids, placed) {
      return Number(await run(WRITE_SPANS, student, [seen, options.ttlMs, ids.length, ...ids, ...placed.map(member)])) === 1
    },
    async releaseSpans(student, eventIds) {
      await run(RELEASE_SPANS, student, eventIds)
    },
  }
}

/** The time budget in Redis: its span store under `createTimeBudget`. */
export const createRedisTimeBudget = (client: RedisCommander, prefix: string, options: TimeBudgetOptions): TimeBudget =>
  createTimeBudget(createRedisSpanStore(client, prefix, options))
