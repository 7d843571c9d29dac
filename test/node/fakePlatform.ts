// A stand-in for the Timeback platform (OAuth2 token endpoint + Caliper API) behind a `fetch`
// function, so proxy tests run without a network and can make it misbehave.
import { buildActivityEvent, buildTimeSpentEvent } from '../../src/events/index.js'

export const CALIPER_URL = 'https://caliper.test'
export const TOKEN_URL = 'https://idp.test/oauth2/token'
export const CLIENT_ID = 'demo-client'
export const CLIENT_SECRET = 's3cr3t-client-secret-value'

export const student = { id: 'https://sis.example/users/123', email: 'student@example.com' }
const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }

let windowEnd = Date.now()
/**
 * 30 active seconds. Each call takes the 30 s before the previous one's: one student's events
 * never overlap in time (the proxy's time budget would trim those that do).
 */
export const timeSpent = (actor = student) => {
  windowEnd -= 30_000
  return buildTimeSpentEvent({ actor, object, items: [{ type: 'active', value: 30 }], startDate: windowEnd - 30_000, endDate: windowEnd })
}
export const completed = (actor = student, xpEarned = 10) => buildActivityEvent({ actor, object, metrics: { xpEarned } })
export const envelope = (data: unknown[]) => ({
  sensor: 'https://app.example',
  sendTime: new Date().toISOString(),
  dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2',
  data,
})

export interface FakePlatform {
  fetch: typeof fetch
  tokenRequests: number
  issued: string[]
  /** Envelopes the Caliper API accepted. */
  received: Array<{ data: Array<{ id: string }> }>
  calls: number
  /**
   * Next answers of the Caliper API, before normal behaviour resumes: a status code, a network
   * error (connection refused) or a hang before anything is stored, or `stored-then-drop` / `stored-then-hang`: the
   * events are stored and the answer is lost.
   */
  script: Array<number | 'network' | 'hang' | 'stored-then-drop' | 'stored-then-hang'>
  /** Awaited before the Caliper API answers (to hold a request in flight). */
  beforeAnswer?: (() => Promise<void>) | undefined
  /** Every event id stored, in order (an id twice means it was credited twice). */
  storedIds(): string[]
  /** The platform's lookup of events by id: the ones it has. */
  lookup(ids: string[]): Promise<string[]>
  /** Event ids the API refuses with 400 (in any envelope that contains them). */
  refuse: Set<string>
  tokenLifetimeSeconds: number
  /** Tokens the API no longer accepts (answers 401). */
  revoked: Set<string>
  tokenDelayMs: number
}

export function createFakePlatform(): FakePlatform {
  const platform: FakePlatform = {
    tokenRequests: 0,
    issued: [],
    received: [],
    calls: 0,
    script: [],
    refuse: new Set(),
    tokenLifetimeSeconds: 3600,
    revoked: new Set(),
    tokenDelayMs: 0,
    storedIds: () => platform.received.flatMap((e) => e.data.map((d) => d.id)),
    lookup: async (ids) => ids.filter((id) => platform.storedIds().includes(id)),
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url === TOKEN_URL) {
        platform.tokenRequests++
        const body = new URLSearchParams(String(init?.body))
        if (body.get('client_secret') !== CLIENT_SECRET || body.get('grant_type') !== 'client_credentials') {
          return new Response('{"error":"invalid_client"}', { status: 400 })
        }
        if (platform.tokenDelayMs) await abortableDelay(platform.tokenDelayMs, init?.signal)
        const token = `tok-${platform.tokenRequests}-${Math.random().toString(36).slice(2)}`
        platform.issued.push(token)
        return Response.json({ access_token: token, token_type: 'Bearer', expires_in: platform.tokenLifetimeSeconds })
      }
      if (url === `${CALIPER_URL}/caliper/event`) {
        platform.calls++
        const auth = new Headers(init?.headers).get('authorization') ?? ''
        const token = auth.replace(/^Bearer /, '')
        if (!platform.issued.includes(token) || platform.revoked.has(token)) return Response.json({ status: 'error', message: 'unauthorized' }, { status: 401 })
        const next = platform.script.shift()
        if (next === 'network') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
        if (next === 'hang') await abortableDelay(60_000, init?.signal)
        if (typeof next === 'number' && next !== 200) return Response.json({ status: 'error', message: `scripted ${next}` }, { status: next, headers: next === 429 ? { 'retry-after': '17' } : {} })
        const body = JSON.parse(String(init?.body)) as { data: Array<{ id: string }> }
        const refused = body.data.filter((e) => platform.refuse.has(e.id))
        if (refused.length) return Response.json({ status: 'error', message: 'invalid event', errors: refused.map((e) => ({ id: e.id, message: 'refused' })) }, { status: 400 })
        platform.received.push(body)
        if (next === 'stored-then-drop') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
        if (next === 'stored-then-hang') await abortableDelay(60_000, init?.signal)
        await platform.beforeAnswer?.()
        return Response.json({ status: 'success', message: 'ok' })
      }
      return new Response('not found', { status: 404 })
    },
  }
  return platform
}

/** Waits `ms`, or rejects with a TimeoutError when `signal` aborts (as fetch does). */
function abortableDelay(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // AbortSignal.timeout's timer does not keep Node alive; this one stands for the socket.
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(new DOMException('timeout', 'TimeoutError'))
    })
  })
}
