// The proxy as the proxy tests build it: in front of the fake platform, for one student, with
// what it logs and measures kept for the test to read.
import { createCaliperProxy, type CaliperProxy, type CaliperProxyOptions, type ProxyMetric } from '../../../src/proxy/index.js'
import { CALIPER_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, createFakePlatform, student, type FakePlatform } from '../fakePlatform.js'

export const ORIGIN = 'https://app.example'

export interface ProxySetup {
  platform: FakePlatform
  proxy: CaliperProxy
  /** Every line logged; an error's line starts with `ERROR `. */
  logs: string[]
  /** Every metric reported. */
  metrics: ProxyMetric[]
}

/**
 * A proxy forwarding to a new fake platform, authorizing `student`; `extra` on top (a `fetch`,
 * `logger` or `onMetric` given there replaces the platform's or the kept one).
 */
export function setupProxy(extra: Partial<CaliperProxyOptions> = {}): ProxySetup {
  const platform = createFakePlatform()
  const logs: string[] = []
  const metrics: ProxyMetric[] = []
  const proxy = createCaliperProxy({
    caliperUrl: CALIPER_URL,
    tokenUrl: TOKEN_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authorize: () => student,
    fetch: platform.fetch,
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
    onMetric: (m) => metrics.push(m),
    ...extra,
  })
  return { platform, proxy, logs, metrics }
}

/** A POST to the proxy from the app's own page: `body` as JSON (a string as it is). */
export const post = (body: unknown, headers: Record<string, string> = {}) =>
  new Request(`${ORIGIN}/api/caliper`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

/**
 * The proxy's answer: status, headers, the body as text and as JSON, and the `serverTime` every
 * JSON answer carries (taken out of `body`, so tests compare the rest as it is).
 */
export const answer = async (response: Response) => {
  const { serverTime, ...body } = (await response.clone().json()) as any
  return { status: response.status, headers: response.headers, text: await response.text(), body, serverTime: serverTime as number }
}
