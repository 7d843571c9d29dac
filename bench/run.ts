// npm run bench: figures, not pass/fail. Runs in real Chromium (Playwright) against the built
// script-tag bundle, on the page clock where minutes of student time are simulated.
//   input cost      CPU per pointermove vs a page with a bare no-op listener (target < 1.5×),
//                   on the page and inside a same-origin iframe of it
//   wake-ups        timer callbacks per minute, visible+idle and hidden (targets ≤ 2 and 0),
//                   beside timeme.js 2.1.0 (which polls every 250 ms)
//   IndexedDB       writes per minute of active tracking
//   traffic         requests and bytes per simulated student-hour, beside the platform SDK's
//                   heartbeat (one TimeSpentEvent request every 15 s = 240 per hour)
//   crash loss      credited seconds a crash loses (target ≤ checkpointMs = 5 s)
//   unanswered ids  requests per minute while the proxy leaves every id unanswered (another
//                   request is forwarding them), beside a retry twice a second
//   long day        heap growth over a simulated 8-hour school day by kind, beside a bare page
//   size            min+gzip / min+brotli per entry, beside timeme.js
// The proxy has its own: npm run bench:proxy (bench/proxy.ts).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../scripts/browsers.mjs'
import { measure } from '../scripts/size.mjs'
import { heapBreakdown, heapKinds, type HeapBreakdown } from './heapBreakdown.js'

const root = join(import.meta.dirname, '..')
if (!existsSync(join(root, 'dist/timeback-tracker.iife.min.js'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' })
assertInstalled(['chromium'])

// ----- a tiny server: the bench page, the bundles, and a proxy stand-in that accepts all ------
const received: Array<{ id: string; type: string; generated: { items: Array<{ type: string; value: number }> } }> = []
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname === '/unanswered') {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'success', accepted: [], duplicates: [], rejected: [] }))
    })
    return
  }
  if (url.pathname === '/collect') {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const ids: string[] = []
      try {
        for (const event of JSON.parse(body).data) {
          ids.push(event.id)
          if (!received.some((e) => e.id === event.id)) received.push(event)
        }
      } catch {
        // not an envelope
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'success', accepted: ids, duplicates: [], rejected: [] }))
    })
    return
  }
  const files: Record<string, string> = {
    '/': 'bench/page.html',
    '/bench/instrument.js': 'bench/instrument.js',
    '/tracker.js': 'dist/timeback-tracker.iife.min.js',
    '/timeme.js': 'node_modules/timeme.js/timeme.min.js',
  }
  const file = files[url.pathname]
  if (!file) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': extname(file) === '.html' ? 'text/html' : 'text/javascript' })
  res.end(readFileSync(join(root, file)))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const browser: Browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
const MINUTE = 60_000

async function openPage(options: { clock?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage()
  if (options.clock) await page.clock.install({ time: new Date('2026-03-02T09:00:00Z') })
  await page.goto(base)
  return page
}

const startTracker = (page: Page, extra = '') =>
  page.evaluate(`(async () => {
    await loadScript('/tracker.js')
    window.tracker = TimebackTracker.createTracker({
      endpoint: '/collect', app: { name: 'Bench' }, storeName: 'bench-' + Math.random(),
      actor: { id: 'https://sis.example/users/1', email: 'student@example.com' }, ${extra}
    })
    window.activity = tracker.startActivity({ id: 'https://app.example/lessons/1', subject: 'Math' })
  })()`)

interface BenchStats {
  timerFires: number
  idbPuts: number
  fetches: number
  fetchBytes: number
  beacons: number
  beaconBytes: number
}
const stats = (page: Page) => page.evaluate('({ ...benchStats })') as Promise<BenchStats>
const setVisibility = (page: Page, state: 'visible' | 'hidden') => page.evaluate(`setVisibility('${state}')`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

// ----- input cost -------------------------------------------------------------------------------
// One page, alternating rounds: a bare no-op listener, then the tracker's own listener (an
// activity running), so both see the same page, heap and CPU frequency. Median of 15 each.
// `inFrame`: the events fire inside a same-origin iframe, where both listeners then sit.
async function inputCost(inFrame = false) {
  const EVENTS = 100_000
  const page = await openPage()
  await startTracker(page)
  await page.evaluate('activity.end()')
  if (inFrame) await page.evaluate(`addFrame()`)
  const scope = inFrame ? `document.querySelector('iframe').contentWindow` : 'window'
  // Strings, not functions: tsx would wrap named arrows in a helper the page does not have.
  // Setup and teardown (IndexedDB writes, a delivery) settle before the timed loop starts.
  const round = async (withTracker: boolean): Promise<number> => {
    await page.evaluate(
      withTracker
        ? `window.activity = tracker.startActivity({ id: 'https://app.example/lessons/1', subject: 'Math' })`
        : `window.noop = () => {}; ${scope}.addEventListener('pointermove', noop, { capture: true, passive: true })`,
    )
    await page.waitForTimeout(100)
    // Dispatched at an element, as the browser does for a real pointer (window → … → target).
    const ms = (await page.evaluate(`(() => {
      const scope = ${scope}
      const target = scope.document.querySelector('p')
      const event = new scope.PointerEvent('pointermove', { bubbles: true })
      for (let i = 0; i < 5000; i++) target.dispatchEvent(event) // warm up
      const t0 = performance.now()
      for (let i = 0; i < ${EVENTS}; i++) target.dispatchEvent(event)
      return performance.now() - t0
    })()`)) as number
    await page.evaluate(withTracker ? 'activity.end()' : `${scope}.removeEventListener('pointermove', noop, { capture: true, passive: true })`)
    await page.waitForTimeout(100)
    return ms
  }
  const bare: number[] = []
  const tracked: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < 15; i++) {
    bare.push(await round(false))
    tracked.push(await round(true))
    // Each pair ran back to back, so its ratio cancels slow drifts (CPU frequency, other load).
    ratios.push(tracked[i]! / bare[i]!)
  }
  await page.close()
  return { bareNsPerEvent: (median(bare) * 1e6) / EVENTS, trackerNsPerEvent: (median(tracked) * 1e6) / EVENTS, ratio: median(ratios) }
}

// ----- wake-ups ---------------------------------------------------------------------------------
async function wakeUps(which: 'tracker' | 'timeme') {
  const page = await openPage({ clock: true })
  if (which === 'tracker') await startTracker(page)
  else await page.evaluate(`loadScript('/timeme.js').then(() => TimeMe.initialize({ currentPageName: 'bench', idleTimeoutInSeconds: 60 }))`)
  await page.clock.runFor(2 * MINUTE) // idle by now
  await page.waitForTimeout(300) // and the slice it closed has been delivered
  const idleStart = (await stats(page)).timerFires
  await page.clock.runFor(10 * MINUTE)
  const idleEnd = (await stats(page)).timerFires
  await setVisibility(page, 'hidden')
  await page.waitForTimeout(300) // the hide-time delivery completes in real time before time is fast-forwarded
  await page.clock.runFor(1000)
  const hiddenStart = (await stats(page)).timerFires
  await page.clock.runFor(10 * MINUTE)
  const hiddenEnd = (await stats(page)).timerFires
  await page.close()
  return { visibleIdle: (idleEnd - idleStart) / 10, hidden: (hiddenEnd - hiddenStart) / 10 }
}

// ----- IndexedDB writes while active ------------------------------------------------------------
async function idbWritesPerActiveMinute() {
  const page = await openPage({ clock: true })
  await startTracker(page)
  const before = (await stats(page)).idbPuts
  for (let s = 0; s < 10 * 60; s += 2) {
    await page.mouse.move(100 + (s % 20), 100)
    await page.clock.runFor(2000)
  }
  await page.waitForTimeout(200)
  const after = (await stats(page)).idbPuts
  await page.close()
  return (after - before) / 10
}

// ----- a simulated student-hour -----------------------------------------------------------------
async function studentHour() {
  const page = await openPage({ clock: true })
  await startTracker(page)
  const step = async (seconds: number, active: boolean) => {
    for (let s = 0; s < seconds; s += 5) {
      if (active) await page.mouse.move(100 + (s % 50), 120)
      await page.clock.runFor(5000)
    }
  }
  await step(40 * 60, true) // working
  await step(10 * 60, false) // idle at the desk
  await setVisibility(page, 'hidden')
  await page.clock.runFor(5 * MINUTE) // another tab
  await setVisibility(page, 'visible')
  await step(5 * 60, true)
  await page.evaluate('activity.complete({ totalQuestions: 20, correctQuestions: 17, xpEarned: 120 })')
  await page.evaluate('tracker.flush()')
  const s = await stats(page)
  await page.close()
  return s
}

// ----- time lost to a crash ---------------------------------------------------------------------
async function crashLoss() {
  received.length = 0
  const page = await openPage({ clock: true })
  await startTracker(page)
  const losses: number[] = []
  for (let t = 0; t < 150; t++) {
    await page.mouse.move(100 + (t % 30), 140)
    await page.clock.runFor(1000)
    if (t % 7 !== 3) continue
    await page.waitForTimeout(30) // let the checkpoint write land, as it would in real time
    // What a page loading after a crash at this instant would find: delivered events, stored
    // events and the open checkpoint. What was true: the activity's credited time so far.
    const { truthMs, stored } = (await page.evaluate(`(async () => {
      const totals = activity.totals
      const queue = await tracker.queue()
      return { truthMs: totals.active + totals.waste + totals['anti-pattern'] + totals.unknown, stored: queue.map((r) => r.event) }
    })()`)) as { truthMs: number; stored: typeof received }
    const events = new Map([...received, ...stored].map((e) => [e.id, e]))
    const recordedS = [...events.values()]
      .filter((e) => e.type === 'TimeSpentEvent')
      .flatMap((e) => e.generated.items)
      .filter((i: { type: string }) => i.type !== 'inactive')
      .reduce((sum: number, i: { value: number }) => sum + i.value, 0)
    losses.push(truthMs / 1000 - recordedS)
  }
  await page.close()
  return { max: Math.max(...losses), mean: losses.reduce((a, b) => a + b, 0) / losses.length, samples: losses.length }
}

// ----- a proxy leaving ids unanswered -------------------------------------------------------------
async function unansweredRequests() {
  const page = await openPage({ clock: true })
  await startTracker(page, `endpoint: '/unanswered',`)
  await page.evaluate('activity.complete({ xpEarned: 1 })')
  await page.waitForTimeout(200)
  const before = (await stats(page)).fetches
  const perMinute: number[] = []
  for (let minute = 0; minute < 30; minute++) {
    const start = (await stats(page)).fetches
    for (let s = 0; s < 60; s += 5) {
      await page.clock.runFor(5000)
      await page.waitForTimeout(5) // let an answer arrive before the next step
    }
    perMinute.push((await stats(page)).fetches - start)
  }
  const total = (await stats(page)).fetches - before
  await page.close()
  return { firstMinute: perMinute[0]!, worstAfterTen: Math.max(...perMinute.slice(10)), mean: total / 30 }
}

// ----- heap over a simulated school day ----------------------------------------------------------
// The heap by kind (bench/heapBreakdown.ts) after hour 1 and after hour 8: the page's own
// JavaScript objects must not grow after the first hour; compiled code and the browser's
// per-request records are reported beside them, since they grow for reasons of their own.
async function heapOverDay(withTracker: boolean) {
  const page = await openPage({ clock: true })
  // The page clock races ahead of IndexedDB's real time: with a long deadline no IndexedDB
  // call times out because of the simulation (that would measure a stalled storage).
  if (withTracker) await startTracker(page, 'requestTimeoutMs: 600000')
  const cdp = await page.context().newCDPSession(page)
  // Ten-second steps, each its own task, so IndexedDB and the collector answer between them.
  const run = async (ms: number, each?: (s: number) => Promise<void>) => {
    for (let s = 0; s < ms / 1000; s += 10) {
      await each?.(s)
      await page.clock.runFor(10_000)
    }
  }
  // Each simulated hour: 40 min of work (input every 10 s), 10 idle, 10 in another tab.
  const hour = async () => {
    await run(40 * MINUTE, (s) => page.mouse.move(100 + (s % 40), 100))
    await run(10 * MINUTE)
    await setVisibility(page, 'hidden')
    await run(10 * MINUTE)
    await setVisibility(page, 'visible')
  }
  await hour()
  const afterFirstHour = await heapBreakdown(cdp)
  for (let h = 1; h < 8; h++) await hour()
  const afterDay = await heapBreakdown(cdp)
  await page.close()
  const growth = Object.fromEntries([...heapKinds, 'used' as const, 'resourceTimingCount' as const].map((k) => [k, afterDay[k] - afterFirstHour[k]])) as Record<keyof HeapBreakdown, number>
  return { afterFirstHour, growth, requests: afterDay.resourceTimingCount }
}

// ----- run and print ----------------------------------------------------------------------------
const fmt = (n: number, digits = 1) => n.toFixed(digits)
// `npm run bench -- heap crash` runs only those parts.
const only = process.argv.slice(2)
const part = (name: string) => !only.length || only.includes(name)
console.log('timeback-tracker benchmark (Chromium', (await browser.version()) + ')\n')

if (part('input')) {
  for (const inFrame of [false, true]) {
    const cost = await inputCost(inFrame)
    console.log(`Input cost${inFrame ? ' inside a same-origin iframe' : ''}, 100,000 pointermove events dispatched (medians of 15 back-to-back pairs)`)
    console.log(`  bare no-op listener  ${fmt(cost.bareNsPerEvent, 0)} ns/event`)
    console.log(`  with the tracker     ${fmt(cost.trackerNsPerEvent, 0)} ns/event   ratio ${fmt(cost.ratio, 2)}×   (target < 1.5×)`)
  }
}

if (part('wakeups')) {
  const ours = await wakeUps('tracker')
  const timeme = await wakeUps('timeme')
  console.log('\nTimer wake-ups per minute                 visible+idle   hidden')
  console.log(`  timeback-tracker                        ${fmt(ours.visibleIdle).padStart(8)}   ${fmt(ours.hidden).padStart(6)}   (targets ≤ 2 and 0)`)
  console.log(`  timeme.js 2.1.0 (polls every 250 ms)    ${fmt(timeme.visibleIdle).padStart(8)}   ${fmt(timeme.hidden).padStart(6)}`)
}

if (part('idb')) {
  console.log(`\nIndexedDB writes per minute of active tracking: ${fmt(await idbWritesPerActiveMinute())}`)
}

if (part('traffic')) {
  const hour = await studentHour()
  const oneEventEnvelope = received.length ? JSON.stringify({ sensor: 'https://app.example', sendTime: new Date().toISOString(), dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p2', data: [received.find((e) => e.type === 'TimeSpentEvent')] }).length : 0
  console.log('\nTraffic per simulated student-hour (40 min working, 10 idle, 5 in another tab, 5 working, complete)')
  console.log(`  timeback-tracker   ${String(hour.fetches + hour.beacons).padStart(4)} requests   ${fmt((hour.fetchBytes + hour.beaconBytes) / 1024)} KB   (${hour.beacons} of them beacons)`)
  console.log(`  platform SDK        240 requests   ~${fmt((240 * oneEventEnvelope) / 1024)} KB   (heartbeat every 15 s; bytes estimated at one TimeSpentEvent each)`)
}

if (part('crash')) {
  const crash = await crashLoss()
  console.log(`\nCredited time lost to a crash (${crash.samples} crash points over 150 s of work): max ${fmt(crash.max, 2)} s, mean ${fmt(crash.mean, 2)} s   (target ≤ 5 s = checkpointMs)`)
}

if (part('unanswered')) {
  const slow = await unansweredRequests()
  console.log('\nRequests while the proxy leaves every id unanswered (30 simulated minutes)')
  console.log(`  timeback-tracker   first minute ${slow.firstMinute}, worst minute after the tenth ${slow.worstAfterTen}, mean ${fmt(slow.mean)} per minute`)
  console.log('  retrying twice a second (the old behaviour)   120 per minute')
}

if (part('heap')) {
  const bare = await heapOverDay(false)
  const day = await heapOverDay(true)
  const kb = (bytes: number) => `${fmt(bytes / 1024)} KB`.padStart(9)
  console.log('\nHeap over a simulated 8-hour day (40 min work, 10 idle, 10 hidden per hour), after GC: growth over hours 2–8 by kind')
  console.log('                   JS objects  compiled code  resource timings  DevTools records  other     used heap (after hour 1)')
  for (const [label, run] of [['bare page', bare], ['with the tracker', day]] as const) {
    const g = run.growth
    console.log(`  ${label.padEnd(16)} ${kb(g.objects)}  ${kb(g.code)}      ${kb(g.resourceTimings)}         ${kb(g.devtools)}  ${kb(g.other)}  ${kb(g.used)} (${kb(run.afterFirstHour.used).trim()})`)
  }
  console.log(`  resource timing entries at the end of the day: ${day.requests} (the browser stops adding them at its buffer size, 250 in Chromium)`)
}

if (part('size')) {
  console.log('\nSize')
  for (const row of await measure()) console.log(`  ${row.label.padEnd(48)} ${fmt(row.gzip / 1024, 2).padStart(6)} KB gzip  ${fmt(row.brotli / 1024, 2).padStart(6)} KB brotli`)
}

await browser.close()
server.close()
console.log('\nThe reference proxy (throughput and latency beside a bare forwarder, heap): npm run bench:proxy')
