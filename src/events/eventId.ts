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
  // The template's 0s take 4 random bits, its 4 stays (the version), its 8 takes 8–b (the variant).
  return '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
  )
}

const EVENT_ID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for `urn:uuid:<uuid>`. */
export function isEventId(value: string): boolean {
  return EVENT_ID.test(value)
}
