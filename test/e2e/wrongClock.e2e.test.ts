// Issue 19 §1: a device clock that is wrong by minutes, hours or days. The page runs on
// Playwright's clock set that far off the true time; the reference proxy runs on the true time
// in front of the fake platform. A 2-minute lesson completed for 100 XP must reach the platform
// whole, once, and dated within a minute of the true time. Needs the built bundle.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page, type Request as PageRequest } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { buildTimeSpentEvent } from '../../src/events/index.js'
import type { TimebackEvent } from '../../src/events/eventTypes.js'
import { createCaliperProxy, type CaliperProxy } from '../../src/proxy/index.js'
import { CALIPER_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, createFakePlatform, student, type FakePlatform } from '../node/fakePlatform.js'

const MIN = 60_000
const HOUR = 60 * MIN
const object = { id: 'https://app.example/lessons/7', subject: 'Math' as const, app: { name: 'Math App' } }

const lessonPage = `<!doctype html><meta charset="utf-8"><title>lesson</title><p>lesson</p>
<script src="/tracker.js"></script>
<script>
  window.tracker = TimebackTracker.createTracker({
    endpoint: '/api/caliper', app: { name: 'Math App' },
    actor: { id: ${JSON.stringify(student.id)}, email: ${JSON.stringify(student.email)} },
    onError: () => {},
  })
  window.activity = tracker.startActivity({ id: 'https://app.example/lessons/7', subject: 'Math' })
</script>`

/**
 * The true time: the real clock plus what the test has run the page's clock for (the page's
 * clock is paused between runs), so the page's clock stays its skew away from it.
 */
let advanced = 0
const trueNow = () => Date.now() + advanced

/**
 * The proxy of the current test. `old` plays a proxy from before: no sendTime, no serverTime, no
 * `Date` header. `plain` plays one that does not correct dates (no sendTime reaches it) and tells
 * the time by `serverTime` or, without it, by a `Date` header on the true clock.
 */
let current: { proxy: CaliperProxy; platform: FakePlatform; old?: boolean; plain?: 'serverTime' | 'date' }
const newProxy = () => {
  const platform = createFakePlatform()
  const proxy = createCaliperProxy({
    caliperUrl: CALIPER_URL,
    tokenUrl: TOKEN_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authorize: () => student,
    fetch: platform.fetch,
    logger: { info() {}, warn() {}, error() {} },
    rateLimit: false,
    now: trueNow,
  })
  current = { proxy, platform }
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => resolve(body))
  })

let server: Server
let base: string
let browser: Browser

before(async () => {
  assertInstalled(['chromium'])
  server = createServer(async (req, res) => {
    if (req.url === '/api/caliper') {
      let body = await bodyOf(req)
      if (current.old || current.plain) body = JSON.stringify({ ...JSON.parse(body), sendTime: undefined })
      const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])) as Array<[string, string]>)
      const response = await current.proxy(new Request(`${base}${req.url}`, { method: req.method!, headers, body }))
      let text = await response.text()
      if (current.old || current.plain === 'date') text = JSON.stringify({ ...JSON.parse(text), serverTime: undefined })
      // Node dates every answer by the machine's clock, which is not the test's true time.
      res.sendDate = false
      const date = current.plain === 'date' ? { date: new Date(trueNow()).toUTCString() } : {}
      res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...date })
      return void res.end(text)
    }
    if (req.url === '/tracker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      return void res.end(readFileSync('dist/timeback-tracker.iife.min.js'))
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(lessonPage)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  server?.close()
})

/** A lesson page whose clock is `skew` off the true time, paused: it moves only with `run`. */
async function openLesson(skew: number): Promise<Page> {
  advanced = 0
  const page = await (await browser.newContext()).newPage()
  const ours = (request: PageRequest) => request.url().endsWith('/api/caliper')
  page.on('request', (request) => void (ours(request) && inFlight++))
  page.on('requestfinished', (request) => void (ours(request) && inFlight--))
  page.on('requestfailed', (request) => void (ours(request) && inFlight--))
  await page.clock.install({ time: trueNow() + skew })
  await page.goto(base)
  // Pausing moves the page's clock on a little: the true time follows.
  const at = trueNow() + skew + 2000
  await page.clock.pauseAt(at)
  advanced += at - skew - trueNow()
  return page
}

/** The same lesson again in the context of `page` (a reload: its localStorage is kept). */
async function reopenLesson(page: Page, skew: number): Promise<Page> {
  const context = page.context()
  await page.close()
  const next = await context.newPage()
  const ours = (request: PageRequest) => request.url().endsWith('/api/caliper')
  next.on('request', (request) => void (ours(request) && inFlight++))
  next.on('requestfinished', (request) => void (ours(request) && inFlight--))
  next.on('requestfailed', (request) => void (ours(request) && inFlight--))
  await next.goto(base)
  const at = trueNow() + skew + 2000
  await next.clock.pauseAt(at)
  advanced += at - skew - trueNow()
  return next
}

/** Requests of the page to the proxy not yet answered. */
let inFlight = 0

/**
 * Two minutes of work: input every 15 s, on the page's clock and the true one alike. In steps
 * of 250 ms, never while a request is on its way: the proxy reads the true time while the page's
 * clock runs a step, so the two are up to a step apart (a real clock and the page's would run
 * together), and two envelopes' dates may be moved up to a step into each other, within the
 * time budget's 1 s of rounding. A step run during a request's transit would lengthen that
 * transit (and so that envelope's correction) by the step.
 */
async function workTwoMinutes(page: Page) {
  for (let step = 0; step < 480; step++) {
    if (step % 60 === 0) await page.mouse.move(10 + step / 60, 10)
    while (inFlight) await new Promise((resolve) => setTimeout(resolve, 5))
    advanced += 250
    await page.clock.runFor(250)
  }
}

const received = () => current.platform.received.flatMap((e) => e.data as TimebackEvent[])
const datesOf = (event: TimebackEvent) => [
  event.eventTime,
  ...(event.type === 'TimeSpentEvent' ? event.generated.items.flatMap((i) => [i.startDate!, i.endDate!]) : []),
]

describe('19.1 a device clock that is wrong', () => {
  const skews = { '+5 min': 5 * MIN, '+1 h': HOUR, '−3 h': -3 * HOUR, '−2 days': -48 * HOUR }
  for (const [name, skew] of Object.entries(skews)) {
    it(`${name}: all the active time and the XP arrive once, dated within a minute of the true time`, async () => {
      newProxy()
      const page = await openLesson(skew)
      const start = trueNow()
      await workTwoMinutes(page)
      const { active, letters } = await page.evaluate(async () => {
        const w = window as any
        await w.activity.complete({ xpEarned: 100 })
        await w.tracker.flush()
        await w.tracker.flush() // the first answer may have been the first the page saw
        return { active: w.activity.totals.active / 1000, letters: await w.tracker.deadLetters() }
      })
      const end = trueNow()
      assert.deepEqual(letters, [])
      const events = received()
      const xp = events.filter((e) => e.type === 'ActivityEvent')
      assert.equal(xp.length, 1)
      assert.deepEqual(xp[0]!.generated.items, [{ type: 'xpEarned', value: 100 }])
      assert.equal(new Set(current.platform.storedIds()).size, current.platform.storedIds().length, 'an event twice')
      const spent = events.flatMap((e) => (e.type === 'TimeSpentEvent' ? e.generated.items : []))
      const sent = spent.filter((i) => i.type === 'active').reduce((s, i) => s + i.value, 0)
      assert.ok(active >= 110, `only ${active} s active on the page`)
      assert.ok(Math.abs(sent - active) <= 1, `${sent} s active arrived, ${active} s measured`)
      for (const date of events.flatMap(datesOf)) {
        const at = Date.parse(date)
        assert.ok(at >= start - MIN && at <= end + MIN, `${date} is not within a minute of the lesson (${new Date(start).toISOString()} – ${new Date(end).toISOString()})`)
      }
      assert.ok(Math.abs(Date.parse(xp[0]!.eventTime) - end) <= MIN)
      await page.context().close()
    })
  }

  it('a forged future window from the page is still refused', async () => {
    newProxy()
    const page = await openLesson(HOUR)
    await workTwoMinutes(page)
    // Dated ten minutes after it is sent, by the page's own (an hour ahead) clock.
    const pageNow = await page.evaluate(() => Date.now())
    const forged = buildTimeSpentEvent({ actor: student, object, items: [{ type: 'active', value: 60 }], startDate: pageNow + 9 * MIN, endDate: pageNow + 10 * MIN })
    const answer = await page.evaluate(async (event) => {
      const envelope = { sensor: location.origin, sendTime: new Date().toISOString(), dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2', data: [event] }
      const response = await fetch('/api/caliper', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) })
      return response.json()
    }, forged)
    assert.deepEqual(answer.accepted, [])
    assert.equal(answer.rejected[0].id, forged.id)
    assert.match(JSON.stringify(answer.rejected[0].errors), /is in the future/)
    assert.ok(!current.platform.storedIds().includes(forged.id))
    await page.context().close()
  })

  it('what a proxy without the correction buried goes again, once, when the proxy corrects', async () => {
    newProxy()
    current.old = true
    const page = await openLesson(HOUR)
    await workTwoMinutes(page)
    // Everything: the slices and the completion, all dated an hour ahead.
    const buried: string[] = await page.evaluate(async () => {
      const w = window as any
      await w.activity.complete({ xpEarned: 100 })
      await w.tracker.flush()
      return (await w.tracker.deadLetters()).map((letter: { id: string }) => letter.id)
    })
    assert.ok(buried.length >= 3, `${buried.length} dead letters`)
    assert.equal(current.platform.storedIds().length, 0)
    current.old = false
    // The next lesson's first slice brings the first answer of a proxy that corrects.
    await page.evaluate(() => {
      const w = window as any
      w.activity = w.tracker.startActivity({ id: 'https://app.example/lessons/8', subject: 'Math' })
    })
    await workTwoMinutes(page)
    const left = await page.evaluate(async () => {
      const w = window as any
      await w.tracker.flush()
      await w.tracker.flush()
      return (await w.tracker.deadLetters()).length
    })
    assert.equal(left, 0)
    assert.ok(buried.every((id) => current.platform.storedIds().includes(id)))
    assert.equal(received().filter((e) => e.type === 'ActivityEvent').length, 1)
    await page.context().close()
  })

  for (const plain of ['serverTime', 'date'] as const) {
    it(`+1 h, a proxy that does not correct (${plain}): the tracker dates events on the server's clock, and a reload keeps it`, async () => {
      newProxy()
      current.plain = plain
      const inLesson = (from: number, to: number) => (date: string) => Date.parse(date) >= from - MIN && Date.parse(date) <= to + MIN
      const lesson = async (page: Page) => {
        const start = trueNow()
        await workTwoMinutes(page)
        const letters: string[] = await page.evaluate(async () => {
          const w = window as any
          await w.activity.complete({ xpEarned: 100 })
          await w.tracker.flush()
          await w.tracker.flush()
          return (await w.tracker.deadLetters()).map((letter: { id: string }) => letter.id)
        })
        return { letters, dated: inLesson(start, trueNow()) }
      }
      // The first page's first slice leaves before any answer: dated an hour ahead, refused
      // (with serverTime, it goes again once, on the server's clock). Everything after is right.
      let page = await openLesson(HOUR)
      const first = await lesson(page)
      assert.ok(first.letters.length <= (plain === 'date' ? 1 : 0), `${first.letters.length} dead letters`)
      const firstEvents = received()
      assert.equal(firstEvents.filter((e) => e.type === 'ActivityEvent').length, 1)
      for (const date of firstEvents.flatMap(datesOf)) assert.ok(first.dated(date), `${date} is not within a minute of the lesson`)
      // The next page dates its first events on the server's clock, from the kept estimate.
      page = await reopenLesson(page, HOUR)
      const second = await lesson(page)
      assert.deepEqual(second.letters, first.letters)
      const secondEvents = received().slice(firstEvents.length)
      assert.equal(secondEvents.filter((e) => e.type === 'ActivityEvent').length, 1)
      assert.ok(secondEvents.some((e) => e.type === 'TimeSpentEvent'))
      for (const date of secondEvents.flatMap(datesOf)) assert.ok(second.dated(date), `${date} is not within a minute of the lesson`)
      await page.context().close()
    })
  }
})
