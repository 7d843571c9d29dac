// The back/forward cache, for real (issues 9.4 and 19.4), in each engine: a page with the
// script-tag bundle and a running activity, a real navigation away and back. The page must be
// restored (`pageshow.persisted`), and the activity must go on with its time in the cache counted
// as hidden, then abandoned. Firefox keeps no page that holds a Web Lock in the cache, so the
// tracker holds none for a page's life. Needs the built bundle (`npm test` builds it first).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { chromium } from 'playwright-core'
import puppeteer from 'puppeteer-core'
import { remote } from 'webdriverio'
import { assertInstalled, browserPaths, chromiumArgs, requestedBrowsers, webkitMiniBrowser } from '../../scripts/browsers.mjs'
import { startBundleServer, type BundleServer } from './bundleServer.js'

type Item = { type: string; value: number }
type Event = { id: string; type: string; generated: { items: Item[] } }
const received = new Map<string, Event>()

const lessonPage = `<!doctype html><meta charset="utf-8"><title>lesson</title><p>lesson</p>
<script src="/tracker.js"></script>
<script>
  addEventListener('pageshow', (e) => (window.shows = [...(window.shows || []), e.persisted]))
  window.tracker = TimebackTracker.createTracker({
    endpoint: '/collect', app: { name: 'Math App' }, storeName: 'bfcache-' + Math.random(),
    actor: { id: 'https://sis.example/users/1', email: 'student@example.com' },
    hiddenTimeoutMs: 1000, checkpointMs: 1000,
  })
  window.activity = tracker.startActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
</script>`

let server: BundleServer
let base: string

before(async () => {
  server = await startBundleServer({
    onEvents: (events) => (events as Event[]).forEach((event) => received.set(event.id, event)),
    page: (url) => (url.pathname === '/elsewhere' ? '<!doctype html><p>another page</p>' : lessonPage),
  })
  base = server.base
})
after(() => server?.close())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> => {
  const deadline = Date.now() + 20_000
  for (;;) {
    // A probe may land on a page being replaced: try again.
    const value = await Promise.resolve(probe()).catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** What the scenario needs of a driver: load a URL, move the mouse, run a script, go back. */
interface Driver {
  goto(url: string): Promise<unknown>
  move(x: number, y: number): Promise<unknown>
  evaluate(script: string): Promise<unknown>
  back(): Promise<unknown>
}

/** Works 2 s (checkpoints written, the slice's promise renewed), leaves for 2 s, comes back. */
async function restoredWithActivity(page: Driver): Promise<void> {
  await page.goto(`${base}/`)
  await waitUntil('the lesson page', () => page.evaluate('window.shows?.length === 1'))
  for (let i = 0; i < 10; i++) {
    await page.move(20 + i, 20)
    await sleep(200)
  }
  await waitUntil('a checkpoint', async () => ((await page.evaluate('tracker.queue()')) as Array<{ open: boolean }>).some((r) => r.open))

  await page.goto(`${base}/elsewhere`)
  // Away well past hiddenTimeoutMs (1 s): 1 s of hidden time, the rest abandoned.
  await sleep(2000)
  await page.back()
  // Restored: a second pageshow on the same page. Evicted: a fresh load of the lesson page.
  const shows = await waitUntil('the page back', () =>
    page.evaluate(`(window.shows?.length === 2 || performance.getEntriesByType('navigation')[0]?.type === 'back_forward') && window.shows`),
  )
  assert.deepEqual(shows, [false, true], 'restored from the back/forward cache')

  const totals = (await page.evaluate('activity.totals')) as Record<string, number>
  assert.equal(await page.evaluate('activity.status'), 'running')
  // Up to hiddenTimeoutMs; Firefox makes the page visible a few ms after its pageshow.
  assert.ok(totals.inactive! >= 1000 && totals.inactive! < 1100, `hidden time in the cache: ${totals.inactive} ms`)
  assert.ok(totals['not-counted']! >= 1000, `abandoned beyond it: ${totals['not-counted']} ms`)
  assert.ok(totals.active! > 0)
  const result = (await page.evaluate('activity.end()')) as { recorded: boolean; eventIds: string[] }
  assert.equal(result.recorded, true)
  await page.evaluate('tracker.flush()')
  const [last] = await waitUntil('the slice after the restore', () => result.eventIds.every((id) => received.has(id)) && result.eventIds.map((id) => received.get(id)!))
  assert.deepEqual(last!.generated.items.find((i) => i.type === 'inactive')?.value, 1)
}

// Chromium always (the end-to-end step's browser); Firefox and WebKit when BROWSERS names them,
// as the browser tests do (all three by default, and in CI).
const engines = requestedBrowsers()

describe('the back/forward cache keeps a page with a running activity', () => {
  it('Chromium', async () => {
    assertInstalled(['chromium'])
    const browser = await chromium.launch({
      executablePath: browserPaths.chromium.path,
      args: chromiumArgs,
      ignoreDefaultArgs: ['--disable-back-forward-cache'],
    })
    try {
      const page = await browser.newPage()
      const notRestored: unknown[] = []
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Page.enable')
      cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(e.notRestoredExplanations))
      await restoredWithActivity({
        goto: (url) => page.goto(url),
        move: (x, y) => page.mouse.move(x, y),
        evaluate: (script) => page.evaluate(script),
        back: () => page.goBack({ waitUntil: 'commit' }),
      })
      assert.deepEqual(notRestored, [])
    } finally {
      await browser.close()
    }
  })

  if (engines.includes('firefox')) it('Firefox ESR', async () => {
    assertInstalled(['firefox'])
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: browserPaths.firefox.path, headless: true })
    try {
      const page = await browser.newPage()
      await restoredWithActivity({
        goto: (url) => page.goto(url),
        move: (x, y) => page.mouse.move(x, y),
        evaluate: (script) => page.evaluate(script),
        // A restore fires no load for puppeteer to wait for: go back, then poll.
        back: () => page.evaluate('history.back()'),
      })
    } finally {
      await browser.close()
    }
  })

  if (engines.includes('webkit')) it('WebKit (MiniBrowser)', async () => {
    assertInstalled(['webkit'])
    const { browser, driver } = await startMiniBrowser()
    try {
      await restoredWithActivity({
        goto: (url) => browser.url(url),
        move: (x, y) => browser.action('pointer').move({ x, y }).perform(),
        // An indirect eval runs the script in the page's global scope; a promise is awaited.
        evaluate: (script) => browser.executeAsync((s: string, done: (v: unknown) => void) => void Promise.resolve((0, eval)(s)).then(done), script),
        back: () => browser.execute('history.back()'),
      })
    } finally {
      await browser.deleteSession().catch(() => {})
      stop(driver)
    }
  })
})

/** WebKitWebDriver under xvfb-run (MiniBrowser needs a display), and a classic session on it. */
async function startMiniBrowser() {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const driver = spawn('xvfb-run', ['-a', browserPaths.webkit.path, `--port=${port}`], { stdio: 'ignore', detached: true })
  await waitUntil('WebKitWebDriver', async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok)
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    capabilities: {
      browserName: 'MiniBrowser',
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: webkitMiniBrowser, args: ['--automation'] },
    } as WebdriverIO.Capabilities,
  })
  return { browser, driver }
}

function stop(driver: ChildProcess) {
  try {
    process.kill(-driver.pid!, 'SIGTERM')
  } catch {
    // already gone
  }
}
