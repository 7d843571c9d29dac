// With no Timeback credentials, the proxy forwards to the mock Caliper platform `npm start`'s
// demo uses (this repository's demo/server/mockCaliper.ts): an OAuth2 token endpoint and an
// events endpoint that checks every envelope against the published OpenAPI documents. It runs
// in this process, reached through the proxy's `fetch` option, and shows what it received at
// GET /mock-caliper/received. Outside this repository, set the TIMEBACK_* variables instead.
import type { CaliperProxyOptions } from 'timeback-tracker/proxy'

const MOCK_BASE = 'http://mock-caliper.internal/mock-caliper'

export interface MockPlatform {
  /** The proxy's platform options, its `fetch` answered in-process. */
  upstream: Pick<CaliperProxyOptions, 'caliperUrl' | 'tokenUrl' | 'clientId' | 'clientSecret' | 'fetch'>
  /** Answers requests under /mock-caliper/. */
  handle(request: Request): Promise<Response>
}

export async function createMockPlatform(): Promise<MockPlatform> {
  const { createMockCaliper, MOCK_CLIENT_ID, MOCK_CLIENT_SECRET } = await import('../../../demo/server/mockCaliper.js')
  const mock = createMockCaliper()
  const handle = async (request: Request) => (await mock.handle(request)) ?? new Response('not found', { status: 404 })
  return {
    upstream: {
      caliperUrl: MOCK_BASE,
      tokenUrl: `${MOCK_BASE}/oauth2/token`,
      clientId: MOCK_CLIENT_ID,
      clientSecret: MOCK_CLIENT_SECRET,
      fetch: (input, init) => handle(new Request(input, init)),
    },
    handle,
  }
}
