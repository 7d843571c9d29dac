// The back/forward cache, for real (issue 9.4): Chromium launched without Playwright's
// `--disable-back-forward-cache`, a page with the script-tag bundle and a running activity,
// a real navigation away and back. The page must be restored (`pageshow.persisted`), and the
// activity must go on with its time in the cache counted as hidden, then abandoned.
// Needs the built bundle (`npm test` builds it first).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'

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

let server: Server
let base: string
let browser: Browser

before(async () => {
  assertInstalled(['chromium'])
  server = createServer((req, res) => {
    if (req.url === '/collect') {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        const events = (JSON.parse(body) as { data: Event[] }).data
        for (const event of events) received.set(event.id, event)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: 'success', accepted: events.map((e) => e.id), duplicates: [], rejected: [] }))
      })
      return
    }
    if (req.url === '/tracker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      return void res.end(readFileSync('dist/timeback-tracker.iife.min.js'))
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(req.url === '/elsewhere' ? '<!doctype html><p>another page</p>' : lessonPage)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: browserPaths.chromium.path,
    args: chromiumArgs,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  })
})
after(async () => {
  await browser?.close()
  server?.close()
})

const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the back/forward cache (Chromium)', () => {
  it('a page with a running activity is restored on Back, and the activity goes on', async () => {
    const page = await browser.newPage()
    const notRestored: unknown[] = []
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Page.enable')
    cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(e.notRestoredExplanations))
    await page.goto(`${base}/`)
    // Two seconds of work: checkpoints are written (the page holds its Web Lock) and sent.
    for (let i = 0; i < 10; i++) {
      await page.mouse.move(20 + i, 20)
      await page.waitForTimeout(200)
    }

    await page.goto(`${base}/elsewhere`)
    // Away well past hiddenTimeoutMs (1 s): 1 s of hidden time, the rest abandoned.
    await page.waitForTimeout(2000)
    await page.goBack({ waitUntil: 'commit' })
    // Restored: a second pageshow on the same page. Evicted: a fresh load of the lesson page.
    const shows = await waitUntil('the page back', () =>
      page.evaluate(`(window.shows?.length === 2 || performance.getEntriesByType('navigation')[0]?.type === 'back_forward') && window.shows`),
    )
    assert.deepEqual({ shows, notRestored }, { shows: [false, true], notRestored: [] })

    const totals = (await page.evaluate('activity.totals')) as Record<string, number>
    assert.equal(await page.evaluate('activity.status'), 'running')
    assert.equal(totals.inactive, 1000, 'hidden time in the cache, up to hiddenTimeoutMs')
    assert.ok(totals['not-counted']! >= 1000, `abandoned beyond it: ${totals['not-counted']} ms`)
    assert.ok(totals.active! > 0)
    const result = (await page.evaluate('activity.end()')) as { recorded: boolean; eventIds: string[] }
    assert.equal(result.recorded, true)
    await page.evaluate('tracker.flush()')
    const [last] = await waitUntil('the slice after the restore', () => result.eventIds.every((id) => received.has(id)) && result.eventIds.map((id) => received.get(id)!))
    assert.deepEqual(last!.generated.items.find((i) => i.type === 'inactive')?.value, 1)
    await page.close()
  })
})
