// The Next.js example (examples/next), as a Timeback app ships it: `next build`, `next start`,
// the React adapter in a client component under a Server Component, the reference proxy as the
// route handler /api/caliper, and a mock Caliper endpoint (the demo's) behind it. Driven in
// Chromium: server-rendered and hydrated with no error, events reach the mock exactly once.
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createMockCaliper, MOCK_CLIENT_ID, MOCK_CLIENT_SECRET } from '../../demo/server/mockCaliper.js'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { ensureDeps } from '../../scripts/ensureDeps.mjs'
import { toNodeHandler } from '../../src/proxy/index.js'
import { freePort } from './demoServer.js'
import { waitUntil } from './waitUntil.js'

const dir = 'examples/next'
const next = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawn(process.execPath, ['node_modules/next/dist/bin/next', ...args], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })

const mock = createMockCaliper()
let caliper: Server
let app: ChildProcess
let output = ''
let base: string
let browser: Browser

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => waitUntil(what, probe, { context: () => output, tolerateErrors: true })

before(async () => {
  assertInstalled(['chromium'])
  ensureDeps(dir, ['--ignore-scripts'])
  const build = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  })
  assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`)

  caliper = createServer(toNodeHandler(async (request) => (await mock.handle(request)) ?? new Response(null, { status: 404 })))
  await new Promise<void>((resolve) => caliper.listen(0, '127.0.0.1', resolve))
  const { port: caliperPort } = caliper.address() as { port: number }
  const mockBase = `http://127.0.0.1:${caliperPort}/mock-caliper`

  const port = await freePort()
  // Next gives route handlers a request.url on localhost whatever the Host header says, and
  // the proxy takes its own origin from request.url: serve the page on localhost.
  base = `http://localhost:${port}`
  app = next(['start', '-p', String(port), '-H', 'localhost'], {
    TIMEBACK_CALIPER_URL: mockBase,
    TIMEBACK_TOKEN_URL: `${mockBase}/oauth2/token`,
    TIMEBACK_CLIENT_ID: MOCK_CLIENT_ID,
    TIMEBACK_CLIENT_SECRET: MOCK_CLIENT_SECRET,
  })
  app.stdout!.on('data', (d) => (output += d))
  app.stderr!.on('data', (d) => (output += d))
  await waitFor('next start', async () => (await fetch(base)).ok)
  browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  app?.kill()
  caliper?.close()
})

/** How many times each event id reached the mock, by type. */
function arrivals() {
  const counts = new Map<string, { type: string; actor: string; n: number }>()
  for (const { envelope } of mock.received) {
    for (const event of envelope.data) {
      const seen = counts.get(event.id) ?? { type: event.type, actor: event.actor.id, n: 0 }
      seen.n++
      counts.set(event.id, seen)
    }
  }
  return [...counts.values()]
}

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`))
  await page.clock.install() // student time in test time: runFor() below
  await page.goto(base)
  return { page, problems }
}

describe('the Next.js example, built and started', () => {
  it('server-renders, hydrates cleanly, and delivers the activity to the mock Caliper exactly once', async () => {
    const { page, problems } = await open()
    const html = await (await fetch(base)).text()
    assert.match(html, /<output id="state">not started<\/output>/, 'the server rendered the page, tracking nothing')
    await waitFor('the activity to run', async () => (await page.textContent('#state')) === 'input')
    await page.clock.runFor(5_000)
    await page.click('text=Finish the quiz')
    await waitFor('the button to say finished', async () => (await page.textContent('button')) === 'Finished')
    await waitFor('the queue to drain', async () => (await page.textContent('#pending')) === '0')
    const delivered = arrivals()
    assert.equal(delivered.filter((e) => e.type === 'ActivityEvent').length, 1, JSON.stringify(delivered))
    assert.ok(delivered.some((e) => e.type === 'TimeSpentEvent'), `a TimeSpentEvent arrived: ${JSON.stringify(delivered)}`)
    assert.ok(delivered.every((e) => e.n === 1 && e.actor === 'https://example.org/oneroster/users/demo-student'))
    await page.close({ runBeforeUnload: false })
    assert.deepEqual(problems, [])

    // A new page load: it starts a new activity and sends nothing twice.
    const second = await open()
    await waitFor('the second activity to run', async () => (await second.page.textContent('#state')) === 'input')
    await waitFor('the queue to drain', async () => (await second.page.textContent('#pending')) === '0')
    await second.page.close()
    assert.ok(arrivals().every((e) => e.n === 1), JSON.stringify(arrivals()))
    assert.deepEqual(second.problems, [])
  })
})
