import type { TimebackEvent } from '../../events/eventTypes.js'

/** The proxy's `deliveryTokens` option: see docs/shared-computers.md. */
export interface DeliveryTokenOptions {
  /** Key id → secret (at least 32 bytes). Tokens of any listed key verify; rotate by adding one. */
  keys: Record<string, string>
  /** The key id new tokens are signed with. */
  current: string
  /** The audience tokens are bound to. Default: the proxy's `sensor`, else the request's origin. */
  app?: string
  /** How far past each answer a token covers events. Default: the tracker's slice + `clockSkewMs`. */
  coverMs?: number
  /** A token presented within this of its `until` keeps its `since` (the same session). Default 30 min. */
  sessionGapMs?: number
}

/** What a token says: student `sub` may deliver events of `app` dated within [since, until] until `exp`. */
export interface DeliveryClaims {
  sub: string
  email?: string
  app: string
  since: number
  until: number
  exp: number
}

export type TokenCheck = { ok: true; claims: DeliveryClaims } | { ok: false; reason: string }

/** What the proxy needs from its own options to issue and check tokens. */
export interface DeliveryTokenLimits {
  clockSkewMs: number
  retentionMs: number
}

export interface DeliveryTokens {
  /** A token for `user` answering a request that arrived at `arrived` (see `sinceFor`). */
  issue(user: { id: string; email?: string }, app: string, arrived: number, since: number): Promise<string>
  /** Checks signature, expiry and audience; the student is checked against the events by the caller. */
  verify(token: unknown, app: string, at: number): Promise<TokenCheck>
  /**
   * The start of the session a new token covers: a presented token's `since` when it is of the
   * same student and session, else the earliest of `events` (or the arrival), less the clock
   * skew; never before the retention.
   */
  sinceFor(presented: DeliveryClaims | undefined, userId: string, events: TimebackEvent[], arrived: number): number
}

const PREFIX = 'tbd1'
/** The tracker's default slice: an answer's token covers what the next slice will hold. */
const TRACKER_SLICE_MS = 60_000
const SESSION_GAP_MS = 30 * 60_000
const MIN_SECRET_BYTES = 32
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/

const encoder = new TextEncoder()

const toBase64Url = (bytes: Uint8Array) => {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** Every date an event carries (eventTime, each item's start and end), epoch ms. */
export function eventDates(event: TimebackEvent): number[] {
  const dates = [Date.parse(event.eventTime)]
  if (event.type === 'TimeSpentEvent') {
    for (const { startDate, endDate } of event.generated.items) {
      if (startDate !== undefined) dates.push(Date.parse(startDate))
      if (endDate !== undefined) dates.push(Date.parse(endDate))
    }
  }
  return dates
}

/** Whether every date of `event` lies within the token's [since, until]. */
export const withinToken = (event: TimebackEvent, claims: DeliveryClaims) =>
  eventDates(event).every((at) => at >= claims.since && at <= claims.until)

const isClaims = (value: unknown): value is DeliveryClaims => {
  const c = value as Partial<DeliveryClaims> | null
  return (
    typeof c?.sub === 'string' &&
    typeof c.app === 'string' &&
    (c.email === undefined || typeof c.email === 'string') &&
    [c.since, c.until, c.exp].every(Number.isFinite)
  )
}

/** Bad options, each field named (a secret's value never is). */
function optionIssues(options: DeliveryTokenOptions): string[] {
  const issues: string[] = []
  const keys = options.keys && typeof options.keys === 'object' ? options.keys : {}
  if (!Object.keys(keys).length) issues.push('deliveryTokens.keys: give at least one key id → secret')
  for (const [kid, secret] of Object.entries(keys)) {
    // Not echoed: a key id swapped with its secret would print the secret.
    if (!KEY_ID.test(kid)) issues.push(`deliveryTokens.keys: a key id (${kid.length} characters) is not 1–32 of A–Z a–z 0–9 _ -`)
    if (typeof secret !== 'string' || encoder.encode(secret).length < MIN_SECRET_BYTES) {
      issues.push(`deliveryTokens.keys["${kid}"]: the secret must be a string of at least ${MIN_SECRET_BYTES} bytes`)
    }
  }
  if (!Object.hasOwn(keys, options.current)) issues.push('deliveryTokens.current: must name one of deliveryTokens.keys')
  for (const field of ['coverMs', 'sessionGapMs'] as const) {
    const value = options[field]
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) issues.push(`deliveryTokens.${field}: a positive number of ms`)
  }
  if (options.app !== undefined && (typeof options.app !== 'string' || !options.app)) issues.push('deliveryTokens.app: a non-empty string')
  return issues
}

/**
 * Signs and checks delivery tokens, `tbd1.<kid>.<base64url(JSON claims)>.<base64url(HMAC-SHA-256)>`,
 * with Web Crypto only (the proxy's core runs on any runtime). Verifies with any listed key,
 * signs with `current`. The MAC covers the prefix, the key id and the claims.
 * @throws {TypeError} naming every bad field of `options`.
 */
export function createDeliveryTokens(options: DeliveryTokenOptions, limits: DeliveryTokenLimits): DeliveryTokens {
  const issues = optionIssues(options)
  if (issues.length) throw new TypeError(`createCaliperProxy: ${issues.join('; ')}`)
  // Read once: changing the caller's object later must not change what is checked.
  options = { ...options, keys: { ...options.keys } }
  const coverMs = options.coverMs ?? TRACKER_SLICE_MS + limits.clockSkewMs
  const gapMs = options.sessionGapMs ?? SESSION_GAP_MS
  const cryptoKeys = new Map<string, ReturnType<typeof crypto.subtle.importKey>>()
  const keyOf = (kid: string) => {
    let key = cryptoKeys.get(kid)
    if (!key) {
      const raw = encoder.encode(options.keys[kid]!)
      key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
      cryptoKeys.set(kid, key)
    }
    return key
  }

  return {
    async issue(user, app, arrived, since) {
      const claims: DeliveryClaims = { sub: user.id, app, since, until: arrived + coverMs, exp: arrived + limits.retentionMs }
      if (user.email !== undefined) claims.email = user.email
      const signed = `${PREFIX}.${options.current}.${toBase64Url(encoder.encode(JSON.stringify(claims)))}`
      const mac = await crypto.subtle.sign('HMAC', await keyOf(options.current), encoder.encode(signed))
      return `${signed}.${toBase64Url(new Uint8Array(mac))}`
    },
    async verify(token, app, at) {
      if (typeof token !== 'string' || !token) return { ok: false, reason: 'no delivery token' }
      const parts = token.split('.')
      if (parts.length !== 4 || parts[0] !== PREFIX) return { ok: false, reason: 'the delivery token is malformed' }
      const [, kid, payload, mac] = parts as [string, string, string, string]
      if (!Object.hasOwn(options.keys, kid)) return { ok: false, reason: 'the delivery token is signed with an unknown key' }
      let claims: unknown
      try {
        const valid = await crypto.subtle.verify('HMAC', await keyOf(kid), fromBase64Url(mac), encoder.encode(`${PREFIX}.${kid}.${payload}`))
        if (!valid) return { ok: false, reason: 'the delivery token has a forged signature' }
        claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload)))
      } catch {
        return { ok: false, reason: 'the delivery token is malformed' }
      }
      if (!isClaims(claims)) return { ok: false, reason: 'the delivery token is malformed' }
      if (claims.exp <= at) return { ok: false, reason: 'the delivery token has expired' }
      if (claims.app !== app) return { ok: false, reason: 'the delivery token is for another app' }
      return { ok: true, claims }
    },
    sinceFor(presented, userId, events, arrived) {
      const floor = arrived - limits.retentionMs
      if (presented?.sub === userId && presented.until >= arrived - gapMs) return Math.max(floor, presented.since)
      const earliest = Math.min(arrived, ...events.flatMap(eventDates))
      return Math.max(floor, earliest - limits.clockSkewMs)
    },
  }
}
