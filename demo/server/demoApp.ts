// The demo's HTTP app: the QA page, the reference proxy at /api/caliper (with switchable faults)
// and, unless real platform credentials are given, the embedded mock Caliper endpoint.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createCaliperProxy, type AuthorizedUser } from '../../src/proxy/index.js'
import { createMockCaliper, MOCK_CLIENT_ID, MOCK_CLIENT_SECRET } from './mockCaliper.js'
import { serveFile } from './staticFiles.js'

export type ProxyFault = 'none' | '500' | '429' | 'offline'

export interface DemoAppOptions {
  root: string
  /** Real platform settings; when absent the embedded mock Caliper endpoint is used. */
  platform?: { caliperUrl: string; tokenUrl: string; clientId: string; clientSecret: string }
  log?: (message: string) => void
}

/**
 * The demo's signed-in user. A real app takes this from its session instead: see docs/proxy.md,
 * "Plugging in your session" (`authorize(request)` returns the user behind the cookie).
 */
export const DEMO_STUDENT: AuthorizedUser & { email: string; name: string } = {
  id: 'https://example.org/oneroster/users/demo-student',
  email: 'demo.student@example.org',
  name: 'Demo Student',
}

/** The second student of the "Switch student" control (a shared computer). */
export const SECOND_STUDENT: AuthorizedUser & { email: string; name: string } = {
  id: 'https://example.org/oneroster/users/second-student',
  email: 'second.student@example.org',
  name: 'Second Student',
}

/** Who is signed in: the `demo_student` cookie the page sets (`second`), else the demo student. */
export const signedIn = (request: Request) =>
  /(?:^|;\s*)demo_student=second(?:;|$)/.test(request.headers.get('cookie') ?? '') ? SECOND_STUDENT : DEMO_STUDENT

// The page is served with a strict CSP, the way careful apps serve theirs: the tracker must
// work without inline scripts or eval.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'"

// The embedded-tool page frames itself from the other hostname (localhost ⇄ 127.0.0.1).
const EMBED_CSP = `${CSP}; frame-src 'self' http://localhost:* http://127.0.0.1:*`

const notFound = () => new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } })

export function createDemoApp(options: DemoAppOptions) {
  const log = options.log ?? ((m: string) => console.log(m))
  const mock = options.platform ? undefined : createMockCaliper()
  let fault: ProxyFault = 'none'
  const mockBase = 'http://mock-caliper.internal/mock-caliper'
  const platform = options.platform ?? { caliperUrl: mockBase, tokenUrl: `${mockBase}/oauth2/token`, clientId: MOCK_CLIENT_ID, clientSecret: MOCK_CLIENT_SECRET }

  // The embedded platform is reached in-process; a real one over the network.
  const upstream = {
    ...platform,
    ...(mock ? { fetch: async (input: string | URL | Request, init?: RequestInit) => mock.handle(new Request(input, init)).then((r) => r!) } : {}),
  }
  const proxy = createCaliperProxy({
    ...upstream,
    authorize: signedIn,
    logger: { info: log, warn: log, error: log },
    // A shared computer: a signed-out student's events leave with the next student's flushes.
    // A real app keeps its secrets in its secret store; the demo makes one per start.
    deliveryTokens: { keys: { demo: `${randomUUID()}${randomUUID()}` }, current: 'demo' },
  })
  // The embedded tool's proxy: no cookies reach a third-party iframe, so a token in a header
  // names the student (docs/embedding.md, "Embedded in another site"). A real app mints it per launch.
  const embedToken = randomUUID()
  const embeddedProxy = createCaliperProxy({
    ...upstream,
    authorize: (request) => (request.headers.get('authorization') === `Bearer ${embedToken}` ? DEMO_STUDENT : null),
    logger: { info: log, warn: log, error: log },
  })

  /** Answers a request. (The offline fault is played by the HTTP server: it drops the socket.) */
  const handle = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url)
    if (pathname === '/api/caliper') {
      if (fault === 'offline') return Response.json({ status: 'error', message: 'demo fault: offline' }, { status: 503 })
      if (fault === '500') return Response.json({ status: 'error', message: 'demo fault: 500' }, { status: 500 })
      if (fault === '429') return Response.json({ status: 'error', message: 'demo fault: 429' }, { status: 429, headers: { 'retry-after': '10' } })
      return proxy(request)
    }
    if (pathname === '/api/caliper/embedded') return embeddedProxy(request)
    if (pathname === '/demo/session') {
      return Response.json({ student: signedIn(request), students: [DEMO_STUDENT, SECOND_STUDENT], app: { name: 'Timeback Tracker Demo' }, platform: mock ? 'embedded mock Caliper endpoint' : platform.caliperUrl, embedToken })
    }
    if (pathname === '/demo/proxy-fault') {
      if (request.method === 'POST') {
        const wanted = (await request.json().catch(() => ({}))) as { mode?: ProxyFault }
        if (wanted.mode && ['none', '500', '429', 'offline'].includes(wanted.mode)) fault = wanted.mode
        log(`demo: proxy fault set to ${fault}`)
      }
      return Response.json({ mode: fault })
    }
    if (pathname.startsWith('/mock-caliper/')) {
      if (!mock) return Response.json({ status: 'error', message: 'using the real platform; no mock here' }, { status: 404 })
      return (await mock.handle(request))!
    }
    if (pathname === '/timeback-tracker.js' || pathname === '/timeback-tracker.js.map') {
      return (await serveFile(join(options.root, 'dist'), pathname.replace('timeback-tracker.js', 'timeback-tracker.iife.min.js'))) ?? notFound()
    }
    const file = pathname === '/' ? '/index.html' : pathname
    if (/^\/(index\.html|demo\.js|demo\.css|embed\.html|embed\.js)$/.test(file)) {
      const csp = file === '/embed.html' ? EMBED_CSP : CSP
      return (await serveFile(join(options.root, 'demo'), file, file.endsWith('.html') ? { 'content-security-policy': csp } : {})) ?? notFound()
    }
    return notFound()
  }
  return { handle, mock, fault: () => fault }
}
