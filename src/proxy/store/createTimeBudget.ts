import { placeCredit, type CreditClaim } from './creditedTime.js'
import { reserveOptimistically } from './optimisticReserve.js'
import type { Placement, SpanStore } from './spanStore.js'
import { overlapping, windowOf, type TimeBudget } from './timeBudget.js'

/**
 * The time budget over any span store: the one place where claims are placed (`placeCredit`)
 * against the spans of the student's other events, and a retry replaces its own spans instead
 * of counting against them.
 */
export function createTimeBudget(store: SpanStore): TimeBudget {
  return {
    async reserveTime(studentId, claims: CreditClaim[]) {
      if (!claims.length) return []
      const { from, to } = windowOf(claims)
      const ids = claims.map((c) => c.id)
      const place: Placement<number[]> = (spans) => {
        const { granted, placed } = placeCredit(overlapping(spans, claims), claims)
        return { placed, result: granted }
      }
      if ('placeAtomically' in store) return store.placeAtomically(studentId, from, to, ids, place)
      return reserveOptimistically(async () => {
        const seen = await store.readSpans(studentId, from, to)
        const { placed, result } = place(seen.spans)
        return (await store.writeSpans(studentId, seen.version, ids, placed)) ? result : undefined
      })
    },
    async releaseTime(studentId, eventIds) {
      if (eventIds.length) await store.releaseSpans(studentId, eventIds)
    },
  }
}
