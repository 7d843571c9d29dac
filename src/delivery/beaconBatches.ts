import { buildEnvelope } from '../events/buildEnvelope.js'
import type { TimebackEvent } from '../events/eventTypes.js'

/** Browsers cap the bytes of queued beacons at 64 KiB per page; stay under it per call. */
export const BEACON_CHUNK_BYTES = 60 * 1024
const BEACON_QUOTA_BYTES = 64 * 1024

const utf8Length = (text: string) => new TextEncoder().encode(text).length

/**
 * Serialises the oldest `events` (one student's, with their delivery `token`) into `text/plain` envelope bodies of at most `limit` bytes each,
 * in order, stopping once `quota` bytes are built: the browser would refuse more, and this runs
 * in the hide handler, so nothing is serialised that cannot be sent. An event too big for any
 * chunk on its own is left out (the fetch path will carry it).
 */
export function beaconBodies(sensor: string, events: TimebackEvent[], now: number, token?: string, limit = BEACON_CHUNK_BYTES, quota = BEACON_QUOTA_BYTES) {
  const bodies: Array<{ body: string; ids: string[] }> = []
  const envelope = (data: unknown[]) => JSON.stringify({ ...buildEnvelope(sensor, data, now), deliveryToken: token })
  const overhead = utf8Length(envelope([0])) - 1
  let chunk: TimebackEvent[] = []
  let size = overhead
  const flush = () => {
    if (chunk.length) {
      bodies.push({ body: envelope(chunk), ids: chunk.map((e) => e.id) })
      quota -= size
    }
    chunk = []
    size = overhead
  }
  for (const event of events) {
    const bytes = utf8Length(JSON.stringify(event)) + 1 // and a comma
    if (overhead + bytes > limit) continue
    if (size + bytes > Math.min(limit, quota)) {
      flush()
      if (overhead + bytes > quota) break
    }
    chunk.push(event)
    size += bytes
  }
  flush()
  return bodies
}

/**
 * Sends the bodies with `navigator.sendBeacon`, in order, stopping at the first `false` (the
 * browser's beacon quota is full). Returns the ids handed to the browser. A queued beacon is
 * never taken as delivered: the events stay in the journal and are sent again later with the
 * same ids; the proxy drops the duplicates.
 */
export function sendBeacons(url: string, bodies: Array<{ body: string; ids: string[] }>): string[] {
  const queued: string[] = []
  if (typeof navigator.sendBeacon !== 'function') return queued
  for (const { body, ids } of bodies) {
    let ok = false
    try {
      ok = navigator.sendBeacon(url, body)
    } catch {
      // e.g. a URL the browser refuses; the fetch path will retry
    }
    if (!ok) break
    queued.push(...ids)
  }
  return queued
}
