/**
 * A new event id: `urn:uuid:` and a random (version 4) UUID, as the Timeback Events API asks.
 * Uses `crypto.randomUUID` where the page is a secure context and `getRandomValues` elsewhere
 * (plain-http intranet hosts), which every supported browser has.
 */
export function createEventId(): string {
  return `urn:uuid:${randomUuid()}`
}

function randomUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const EVENT_ID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for `urn:uuid:<uuid>`. */
export function isEventId(value: string): boolean {
  return EVENT_ID.test(value)
}
