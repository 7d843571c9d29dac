// Real prerendering (issue 19.2): Chromium prerenders a lesson through speculation rules, the
// student follows the link some seconds later and works. Driven by puppeteer (with the system's
// Chromium), because Playwright's DevTools session disables prerendering
// (`PrerenderingDisabledByDevTools`).
// Nothing of the prerendered stretch may count, and a prerender never opened delivers nothing,
// even after a later page load of the origin sends what the journal holds.
// Needs the built bundle (`npm test` builds it first).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import puppeteer, { type Browser } from 'puppeteer'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { startBundleServer, type BundleServer } from './bundleServer.js'

type Item = { type: string; value: number; startDate: string }
type Event = { id: string; type: string; generated: { items: Item[] } }
/** Events received, by the store (the page) whose endpoint they reached. */
const received = new Map<string, Event[]>()
/** What each lesson page said of itself as it loaded: `<store> <document.prerendering>`. */
const loaded: string[] = []

const trackerPage = (store: string, start: boolean, endsEarly = false) => `<!doctype html><meta charset="utf-8">
<title>lesson</title><p>lesson</p>
<script src="/tracker.js"></script>
<script>
  void fetch('/loaded?' + ${JSON.stringify(store)} + '%20' + document.prerendering)
  window.tracker = TimebackTracker.createTracker({
    endpoint: '/collect/' + ${JSON.stringify(store)}, app: { name: 'Math App' }, storeName: ${JSON.stringify(store)},
    actor: { id: 'https://sis.example/users/1', email: 'student@example.com' },
    idleTimeoutMs: 2000, sliceMs: 2000, checkpointMs: 500,
  })
  ${start ? "window.activity = tracker.startActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })" : ''}
  ${endsEarly ? 'setTimeout(() => activity.end(), 1000) // an app that moves on by itself' : ''}
</script>`

/** A page that prerenders `/lesson/<store>` at once and links to it. */
const linkingPage = (store: string) => `<!doctype html><meta charset="utf-8"><title>home</title>
<script type="speculationrules">
{"prerender":[{"source":"list","urls":["/lesson/${store}"],"eagerness":"immediate"}]}
</script>
<a id="next" href="/lesson/${store}">next lesson</a>`

let server: BundleServer
let base: string
let browser: Browser

const until = async (probe: () => boolean | Promise<boolean>, what: string, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

before(async () => {
  assertInstalled(['chromium'])
  server = await startBundleServer({
    onEvents(events, url) {
      const store = url.pathname.slice('/collect/'.length)
      received.set(store, [...(received.get(store) ?? []), ...(events as Event[])])
    },
    page(url) {
      if (url.pathname === '/loaded') loaded.push(decodeURIComponent(url.search.slice(1)))
      const [, kind, store = ''] = url.pathname.split('/')
      if (kind === 'home') return linkingPage(store)
      if (kind === 'lesson') return trackerPage(store, true, store.endsWith('never-opened'))
      if (kind === 'later') return trackerPage(store, false)
      return '<!doctype html><p>elsewhere</p>'
    },
  })
  base = server.base
  browser = await puppeteer.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs, headless: true })
})

after(async () => {
  await browser?.close()
  server?.close()
})

const eventsOf = (store: string) => received.get(store) ?? []

describe('prerendered by speculation rules (real Chromium, puppeteer)', () => {
  it('counts from activation: nothing of the prerendered stretch, the first slice after it', async () => {
    const store = 'prerender-opened'
    const page = await browser.newPage()
    await page.goto(`${base}/home/${store}`)
    await until(() => loaded.includes(`${store} true`), 'the lesson to be prerendered')
    await sleep(3000) // the prerendered lesson waits, hidden, longer than the idle timeout
    await Promise.all([page.waitForNavigation(), page.click('#next')])
    const activation = await page.evaluate(() => {
      const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { activationStart: number }
      return { prerendering: document.prerendering, at: performance.timeOrigin + entry.activationStart, activationStart: entry.activationStart }
    })
    assert.equal(activation.prerendering, false)
    assert.ok(activation.activationStart > 0, 'the page shown is the prerendered one')
    for (let i = 0; i < 15; i++) {
      await page.mouse.move(10 + i, 10 + i)
      await sleep(200)
    }
    await page.evaluate(() => (window as unknown as { activity: { end(): Promise<unknown> } }).activity.end())
    await until(() => eventsOf(store).some((e) => e.type === 'TimeSpentEvent'), 'the lesson’s time')
    await sleep(500)
    const items = eventsOf(store).flatMap((e) => e.generated.items)
    const seconds = (type: string) => items.filter((i) => i.type === type).reduce((sum, i) => sum + i.value, 0)
    assert.equal(seconds('inactive'), 0, 'no inactive time from the prerendered stretch')
    assert.ok(seconds('active') >= 2 && seconds('active') <= 4, `active ${seconds('active')} s, worked ~3 s`)
    const first = Math.min(...items.map((i) => Date.parse(i.startDate)))
    assert.ok(first >= Math.floor(activation.at), `first slice ${first} starts at or after activation ${activation.at}`)
    await page.close()
  })

  it('delivers nothing for a prerender never opened, even once a later page sends the journal', async () => {
    const store = 'prerender-never-opened'
    const page = await browser.newPage()
    await page.goto(`${base}/home/${store}`)
    await until(() => loaded.includes(`${store} true`), 'the lesson to be prerendered')
    await sleep(3000) // long past checkpointMs and sliceMs; the lesson ended itself after 1 s
    await page.goto(`${base}/elsewhere`) // the prerender is discarded
    await page.goto(`${base}/later/${store}`) // an ordinary page of the origin, same journal
    await until(() => loaded.includes(`${store} false`), 'the later page')
    await page.evaluate(() => (window as unknown as { tracker: { flush(): Promise<void> } }).tracker.flush())
    const queued = await page.evaluate(() => (window as unknown as { tracker: { queue(): Promise<unknown[]> } }).tracker.queue())
    await sleep(1000)
    assert.deepEqual(queued, [], 'nothing in the journal')
    assert.deepEqual(eventsOf(store), [], 'nothing delivered')
    await page.close()
  })
})
