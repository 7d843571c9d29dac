// An embedded stand-in for the Timeback platform, so the demo runs on one machine with no
// credentials: an OAuth2 token endpoint and a Caliper events endpoint that validates every
// envelope against the published OpenAPI documents (seed and strict copy) and answers like the
// real API: 200 {status:"success"} or 400 {status:"error", errors}.
import { randomUUID } from 'node:crypto'
import { createSpecValidator } from '../../spec/specValidator.js'

export const MOCK_CLIENT_ID = 'demo-client'
export const MOCK_CLIENT_SECRET = 'demo-secret-not-for-production'

export interface ReceivedEnvelope {
  at: string
  envelope: { sensor: string; sendTime: string; data: Array<Record<string, any>> }
}

export function createMockCaliper(basePath = '/mock-caliper') {
  const validator = createSpecValidator({ strictSubjects: 'newest' })
  const tokens = new Set<string>()
  const received: ReceivedEnvelope[] = []
  const json = (status: number, body: unknown) => Response.json(body, { status })

  const handle = async (request: Request): Promise<Response | undefined> => {
    const path = new URL(request.url).pathname
    if (!path.startsWith(basePath)) return undefined
    const route = path.slice(basePath.length)
    if (route === '/oauth2/token' && request.method === 'POST') {
      const form = new URLSearchParams(await request.text())
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== MOCK_CLIENT_ID || form.get('client_secret') !== MOCK_CLIENT_SECRET) {
        return json(400, { error: 'invalid_client' })
      }
      const token = randomUUID()
      tokens.add(token)
      return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 })
    }
    if (route === '/caliper/event' && request.method === 'POST') {
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      if (!tokens.has(token)) return json(401, { status: 'error', message: 'invalid or missing bearer token' })
      let envelope: ReceivedEnvelope['envelope']
      try {
        envelope = (await request.json()) as ReceivedEnvelope['envelope']
      } catch {
        return json(400, { status: 'error', message: 'body is not JSON' })
      }
      const report = validator.validateEnvelope(envelope)
      const errors = [...report.seed.map((e) => `seed ${e}`), ...report.strict.map((e) => `strict ${e}`)]
      if (errors.length) return json(400, { status: 'error', message: 'The request payload is invalid', errors })
      received.push({ at: new Date().toISOString(), envelope })
      if (received.length > 1000) received.shift()
      return json(200, { status: 'success', message: `${envelope.data.length} event(s) processed` })
    }
    if (route === '/received' && request.method === 'GET') return json(200, received)
    if (route === '/received' && request.method === 'DELETE') {
      received.length = 0
      return json(200, { status: 'success' })
    }
    return json(404, { status: 'error', message: 'not found' })
  }
  return { handle, received }
}
