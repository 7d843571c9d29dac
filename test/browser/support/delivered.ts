import { expect } from 'chai'
import type { Collector } from './collector.js'
import { waitFor } from './waitFor.js'

/**
 * Waits until every id reached the collector in a 200 answer, then returns how many times each
 * arrived (beacons included: a beacon is never taken as delivered, so the same id can arrive
 * again by fetch; the proxy answers it as a duplicate).
 */
export async function expectAllDelivered(sink: Collector, ids: string[], poke?: () => Promise<unknown>): Promise<Map<string, number>> {
  expect(ids.length, 'events to deliver').to.be.greaterThan(0)
  return waitFor(async () => {
    await poke?.()
    const counts = await sink.deliveredCounts()
    return ids.every((id) => counts.has(id)) && counts
  }, `all ${ids.length} events delivered`)
}

/** How many times each id was POSTed by fetch (JSON), answered or not. */
export async function fetchCounts(sink: Collector): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const r of await sink.received()) {
    if (!r.contentType.startsWith('application/json')) continue
    for (const id of r.ids) counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}
