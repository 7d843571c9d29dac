// A stand-in for the Timeback platform (OAuth2 token endpoint + Caliper API) behind a `fetch`
// function, so proxy tests run without a network and can make it misbehave.
import { buildActivityEvent, buildTimeSpentEvent } from '../../src/events/index.js'

export const CALIPER_URL = 'https://caliper.test'
export const TOKEN_URL = 'https://idp.test/oauth2/token'
export const CLIENT_ID = 'demo-client'
export const CLIENT_SECRET = 's3cr3t-client-secret-value'

export const student = { id: 'https://sis.example/users/123', email: 'student@example.com' }
const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }

export const timeSpent = (actor = student) =>
  buildTimeSpentEvent({ actor, object, items: [{ type: 'active', value: 30 }], startDate: Date.now() - 30_000, endDate: Date.now() })
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
  /** Next answers of the Caliper API (status codes), before normal behaviour resumes. */
  script: Array<number | 'network' | 'hang'>
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
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url === TOKEN_URL) {
        platform.tokenRequests++
        const body = new URLSearchParams(String(init?.body))
        if (body.get('client_secret') !== CLIENT_SECRET || body.get('grant_type') !== 'client_credentials') {
          return new Response('{"error":"invalid_client"}', { status: 400 })
        }
        if (platform.tokenDelayMs) await new Promise((r) => setTimeout(r, platform.tokenDelayMs))
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
        if (next === 'network') throw new TypeError('fetch failed')
        if (next === 'hang') {
          // AbortSignal.timeout's timer does not keep Node alive; this one stands for the socket.
          const socket = setTimeout(() => {}, 60_000)
          await new Promise((_r, reject) =>
            init?.signal?.addEventListener('abort', () => {
              clearTimeout(socket)
              reject(new DOMException('timeout', 'TimeoutError'))
            }),
          )
        }
        if (typeof next === 'number' && next !== 200) return Response.json({ status: 'error', message: `scripted ${next}` }, { status: next, headers: next === 429 ? { 'retry-after': '17' } : {} })
        const body = JSON.parse(String(init?.body)) as { data: Array<{ id: string }> }
        const refused = body.data.filter((e) => platform.refuse.has(e.id))
        if (refused.length) return Response.json({ status: 'error', message: 'invalid event', errors: refused.map((e) => ({ id: e.id, message: 'refused' })) }, { status: 400 })
        platform.received.push(body)
        return Response.json({ status: 'success', message: 'ok' })
      }
      return new Response('not found', { status: 404 })
    },
  }
  return platform
}
