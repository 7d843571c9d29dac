// The QA pass over the demo's controls, on desktop (1280×800) and phone (390×844): what the
// page shows must be true (the server's fault, the running stretch, which buttons apply), and
// axe-core finds no serious or critical accessibility violation, idle or with an activity running.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, describe, it } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { demoInChromium } from './demoInChromium.js'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const desktop = { width: 1280, height: 800 }
const phone = { width: 390, height: 844 }

const demo = demoInChromium()
let context: BrowserContext | undefined

afterEach(async () => {
  await context?.close()
  context = undefined
  await fetch(`${demo.server.base}/demo/proxy-fault`, { method: 'POST', body: JSON.stringify({ mode: 'none' }) })
})

const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000

/** A demo page on Playwright's clock, paused once ready: page time moves only with runFor. */
async function openDemo(viewport = desktop, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  context = await demo.browser.newContext({ viewport, ...options })
  const page = await context.newPage()
  // Two hours ago: the proxy refuses event times in the future or older than its retention.
  await page.clock.install({ time: new Date(T0) })
  await page.goto(demo.server.base)
  await page.waitForSelector('body[data-ready]')
  // Loading may take a while on a busy machine; page time is a minute ahead of any of it.
  await page.clock.pauseAt(new Date(T0 + 60_000))
  return page
}

const text = async (page: Page, testId: string) => (await page.textContent(`[data-testid=${testId}]`)) ?? ''
const received = async () => (await (await fetch(`${demo.server.base}/mock-caliper/received`)).json()) as unknown[]

describe('the demo, as QA uses it', () => {
  it('the fault selector shows the fault the server plays, after a reload too', async () => {
    const page = await openDemo()
    await Promise.all([page.waitForResponse('**/demo/proxy-fault'), page.check('input[name=fault][value="500"]')])
    await page.reload()
    await page.waitForSelector('body[data-ready]')
    assert.equal(await page.isChecked('input[name=fault][value="500"]'), true)
    assert.equal(await page.isChecked('input[name=fault][value=none]'), false)
  })

  it('with the "offline" fault the Network chip does not say plain "online"', async () => {
    const page = await openDemo()
    await Promise.all([page.waitForResponse('**/demo/proxy-fault'), page.check('input[name=fault][value=offline]')])
    assert.match((await page.textContent('#network')) ?? '', /unreachable/)
  })

  it('changing the idle timeout keeps the running activity and says when it applies', async () => {
    const page = await openDemo()
    await page.click('[data-testid=start]')
    await page.fill('[data-testid=idle-timeout]', '30')
    await page.press('[data-testid=idle-timeout]', 'Tab') // `change` fires when the field is left
    assert.match(await page.textContent('#activity-note') ?? '', /applies from the next Start; the running activity keeps 60 s/)
    await page.clock.runFor(1000)
    assert.match(await text(page, 'state'), /^Active: input/)
  })

  it('the timeline shows the running stretch from the start', async () => {
    const page = await openDemo()
    await page.click('[data-testid=start]')
    await page.clock.runFor(2000)
    assert.ok((await page.locator('[data-testid=timeline] span.bucket-active').count()) >= 1)
  })

  it('Pause and Resume are never enabled together', async () => {
    const page = await openDemo()
    const enabled = async () => [await page.isEnabled('[data-testid=pause]'), await page.isEnabled('[data-testid=resume]')]
    assert.deepEqual(await enabled(), [false, false], 'no activity')
    await page.click('[data-testid=start]')
    assert.deepEqual(await enabled(), [true, false], 'running')
    await page.click('[data-testid=pause]')
    await page.clock.runFor(1000)
    assert.deepEqual(await enabled(), [false, true], 'paused')
    await page.click('[data-testid=resume]')
    await page.clock.runFor(1000)
    assert.deepEqual(await enabled(), [true, false], 'resumed')
  })

  it('a beacon delivery is labelled once, and the Deliveries heading counts them', async () => {
    const page = await openDemo()
    await page.click('[data-testid=start]')
    await page.clock.runFor(3000)
    // Headless Chromium does not hide a page; redefine the state (a string: no bundler helpers).
    await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
      document.dispatchEvent(new Event('visibilitychange'))`)
    await page.waitForFunction(() => document.querySelector('#deliveries')!.textContent!.includes('beacon'))
    await page.clock.runFor(1000)
    const deliveries = await text(page, 'deliveries')
    assert.doesNotMatch(deliveries, /beacon\s*beacon/)
    assert.match((await page.textContent('#deliveries-count')) ?? '', /^\(\d+, newest first\)$/)
  })

  it('"Received by Caliper" marks what arrived before this page load, and can be cleared', async () => {
    const first = await openDemo()
    await first.click('[data-testid=start]')
    await first.clock.runFor(3000)
    await first.click('[data-testid=end]')
    const deadline = Date.now() + 20_000
    while ((await received()).length === 0 && Date.now() < deadline) await first.clock.runFor(1000)
    await context!.close()

    const page = await openDemo()
    await page.clock.runFor(1000)
    assert.match(await text(page, 'received-note'), /from before this page load/)
    assert.ok((await page.locator('[data-testid=received] .tag', { hasText: 'earlier' }).count()) >= 1)
    await page.click('[data-testid=clear-received]')
    await page.waitForFunction(() => document.querySelector('[data-testid=received]')!.childElementCount === 0)
    assert.deepEqual(await received(), [])
  })

  for (const [name, viewport] of [['desktop', desktop], ['phone', phone]] as const) {
    it(`axe-core: no serious or critical violation on ${name}, idle and running`, async () => {
      // The page's CSP forbids inline scripts, axe's included: this context lets axe in.
      const page = await openDemo(viewport, { bypassCSP: true })
      await page.addScriptTag({ content: axeSource })
      const serious = async () => {
        await page.clock.resume() // axe waits on timers of its own
        const results = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }> } }).axe.run())
        return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`)
      }
      assert.deepEqual(await serious(), [], 'idle')
      await page.clock.pauseAt(new Date(T0 + 3_600_000))
      await page.click('[data-testid=start]')
      await page.clock.runFor(3000)
      assert.deepEqual(await serious(), [], 'running')
    })
  }
})
