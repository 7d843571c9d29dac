// The Vite + Express example (examples/vite-express), as an app ships it: `npm run build` (tsc,
// vite build), then its server (`npm start`'s command) against a PostgreSQL this test starts,
// with the mock Caliper platform it embeds when no credentials are set. Driven in Chromium: a
// student signs in (an HTTP-only session cookie), answers, finishes; the platform receives the
// run's TimeSpentEvents and its one ActivityEvent exactly once, and the PostgreSQL ledger holds
// every id as delivered. Then the lesson embedded in another site, where no cookie of ours
// reaches the frame: the launch token in the tracker's `headers()` names the student.
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { ensureDeps } from '../../scripts/ensureDeps.mjs'
import { endsQuietly, startPostgres, type RunningServer } from '../node/support/databaseServers.js'
import { freePort } from './demoServer.js'
import { waitUntil } from './waitUntil.js'

const dir = 'examples/vite-express'
const ADA = 'https://example.org/oneroster/users/ada'
const GRACE = 'https://example.org/oneroster/users/grace'

let postgres: RunningServer
let db: pg.Pool
let app: ChildProcess
let output = ''
let port: number
let base: string
let browser: Browser

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => waitUntil(what, probe, { context: () => output, tolerateErrors: true })

before(async () => {
  assertInstalled(['chromium'])
  ensureDeps(dir, ['--ignore-scripts'])
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: dir, encoding: 'utf8' })
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`)

  postgres = await startPostgres()
  db = endsQuietly(new pg.Pool({ connectionString: postgres.url }))
  port = await freePort()
  base = `http://localhost:${port}`
  app = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), DATABASE_URL: postgres.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  app.stdout!.on('data', (d) => (output += d))
  app.stderr!.on('data', (d) => (output += d))
  await waitFor('the example to listen', async () => output.includes(`localhost:${port}`) || app.exitCode !== null)
  assert.equal(app.exitCode, null, `the example exited:\n${output}`)
  browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  app?.kill()
  await db?.end()
  await postgres?.stop()
})

/** How many times each event id reached the mock platform, by type and actor. */
async function arrivals() {
  const received = (await (await fetch(`${base}/mock-caliper/received`)).json()) as Array<{
    envelope: { data: Array<{ id: string; type: string; actor: { id: string } }> }
  }>
  const counts = new Map<string, { id: string; type: string; actor: string; n: number }>()
  for (const { envelope } of received) {
    for (const event of envelope.data) {
      const seen = counts.get(event.id) ?? { id: event.id, type: event.type, actor: event.actor.id, n: 0 }
      seen.n++
      counts.set(event.id, seen)
    }
  }
  return [...counts.values()]
}

/** Ids the PostgreSQL ledger holds as delivered. */
async function delivered(): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM caliper_ledger WHERE delivered')
  return new Set(rows.map((r) => r.id.toLowerCase()))
}

async function open(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`))
  await page.clock.install() // student time in test time: runFor() below
  await page.goto(url)
  return { page, problems }
}

/** Answers the three questions (two right), with time passing, and finishes. */
async function doLesson(page: Page, frame: Page | Frame) {
  await waitFor('the activity to run', async () => ['input', 'blurred'].includes((await frame.textContent('#state')) ?? ''))
  for (const [question, answer] of [['q0', '3/4'], ['q1', '3/5'], ['q2', '1/3']]) {
    await frame.check(`input[name=${question}][value="${answer}"]`)
    await page.clock.runFor(5_000)
  }
  await frame.click('text=Finish')
  assert.equal(await frame.textContent('#result'), '2 of 3 correct: 20 XP')
  await waitFor('the queue to drain', async () => (await frame.textContent('#pending')) === '0')
}

describe('the Vite + Express example, built and started on PostgreSQL', () => {
  it('signs in by cookie, and delivers the lesson to the platform exactly once, with the ids in the ledger', async () => {
    const context = await browser.newContext()
    const { page, problems } = await open(context, base)
    await page.selectOption('select[name=student]', 'ada')
    await page.click('button[type=submit]')
    assert.equal(await page.textContent('#student'), 'Ada Lovelace')
    const cookies = await context.cookies()
    assert.ok(cookies.some((c) => c.name === 'session' && c.httpOnly), JSON.stringify(cookies))
    await doLesson(page, page)

    const events = (await arrivals()).filter((e) => e.actor === ADA)
    assert.equal(events.filter((e) => e.type === 'ActivityEvent').length, 1, JSON.stringify(events))
    assert.ok(events.some((e) => e.type === 'TimeSpentEvent'), `a TimeSpentEvent arrived: ${JSON.stringify(events)}`)
    assert.ok(events.every((e) => e.n === 1), JSON.stringify(events))
    const ledger = await delivered()
    assert.deepEqual(events.filter((e) => !ledger.has(e.id.toLowerCase())), [], 'every delivered id is in the ledger')
    await page.close({ runBeforeUnload: false })
    assert.deepEqual(problems, [])

    // The next page load: the cookie still names Ada, a new activity starts, nothing goes twice.
    const second = await open(context, base)

    assert.equal(await second.page.textContent('#student'), 'Ada Lovelace')
    await waitFor('the second activity to run', async () => (await second.page.textContent('#state')) === 'input')
    await waitFor('the queue to drain', async () => (await second.page.textContent('#pending')) === '0')
    await second.page.close()
    const after = (await arrivals()).filter((e) => e.actor === ADA)
    assert.ok(after.every((e) => e.n === 1), JSON.stringify(after))
    assert.equal(after.filter((e) => e.type === 'ActivityEvent').length, 1)
    assert.deepEqual(second.problems, [])
    await context.close()
  })

  it('embedded in another site, sends with the launch token in a header instead of a cookie', async () => {
    const context = await browser.newContext()
    const posts: Array<Promise<Record<string, string>>> = []
    context.on('request', (r) => void (r.method() === 'POST' && r.url().endsWith('/api/caliper') && posts.push(r.allHeaders())))
    const { page, problems } = await open(context, `http://127.0.0.1:${port}/lms`)
    const frame = await waitFor('the lesson frame', async () => page.frames().find((f) => f.url().startsWith(`${base}/embedded#launch=`)))
    await waitFor('the student in the frame', async () => (await frame.textContent('#student')) === 'Grace Hopper')
    await doLesson(page, frame)

    const events = (await arrivals()).filter((e) => e.actor === GRACE)
    assert.equal(events.filter((e) => e.type === 'ActivityEvent').length, 1, JSON.stringify(events))
    assert.ok(events.some((e) => e.type === 'TimeSpentEvent'), JSON.stringify(events))
    assert.ok(events.every((e) => e.n === 1), JSON.stringify(events))
    const ledger = await delivered()
    assert.deepEqual(events.filter((e) => !ledger.has(e.id.toLowerCase())), [])
    const headers = await Promise.all(posts)
    assert.ok(headers.length > 0 && headers.every((h) => /^Bearer \S+$/.test(h.authorization ?? '') && !h.cookie), JSON.stringify(headers))
    assert.deepEqual(problems, [])
    await context.close()
  })
})
