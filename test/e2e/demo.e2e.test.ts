// End to end, the way a QA person uses it: `npm start`'s server, the demo page in real
// Chromium (Playwright, page clock), an activity with input, idle time and a completion, then
// the page closed. The embedded mock Caliper endpoint must hold schema-valid events whose
// active/inactive seconds match the script, each event exactly once.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { validateEnvelope } from '../../src/events/index.js'
import { createSpecValidator } from '../../spec/specValidator.js'
import { demoInChromium } from './demoInChromium.js'
import { waitUntil } from './waitUntil.js'

const SHOTS = 'test-results'
const demo = demoInChromium()

before(() => {
  mkdirSync(SHOTS, { recursive: true })
})

type Received = Array<{ at: string; envelope: { data: Array<Record<string, any>> } }>
const received = async (): Promise<Received> => (await fetch(`${demo.server.base}/mock-caliper/received`)).json() as Promise<Received>

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => waitUntil(what, probe, { timeoutMs: 20_000, context: () => demo.server.output() })

const pageNow = (page: Page) => page.evaluate(() => Date.now())

describe('the demo, end to end', () => {
  it('an activity with input, idle and completion reaches the mock Caliper exactly once, schema-valid', async () => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
    // Page time starts an hour ago: the proxy refuses times in the future and older than its
    // retention (docs/trust.md), and this script moves page time ahead.
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000
    await page.clock.install({ time: new Date(t0) })
    // Page time runs minutes ahead in seconds here, while the proxy's clock is real: the proxy
    // puts each envelope's dates on its clock by its sendTime, which would squeeze those minutes
    // into seconds (and the student's time budget would trim the overlap). Stamped with the real
    // time, sendTime says the page's clock is right: dates arrive as the page made them.
    // The tracker's request for a delivery token (an envelope without events, at page load) is
    // answered here without the proxy's clock: the page would learn the real time from it before
    // the activity starts, and date every slice on that clock, which this script races ahead of.
    await page.route('**/api/caliper', async (route) => {
      const envelope = JSON.parse(route.request().postData() ?? '{}')
      if (Array.isArray(envelope.data) && !envelope.data.length) return route.fulfill({ json: { status: 'success', accepted: [], duplicates: [], rejected: [] } })
      await route.continue({ postData: JSON.stringify({ ...envelope, sendTime: new Date().toISOString() }) })
    })
    await page.goto(demo.server.base)
    await page.waitForSelector('body[data-ready]')
    // From here on, page time moves only when the test says so: real time spent between steps
    // must not leak into the measured seconds.
    await page.clock.pauseAt(new Date(t0 + 10_000))

    await page.click('[data-testid=start]')
    const started = await pageNow(page)
    // 30 s of a student working: the pointer moves every second.
    let lastInput = started
    for (let i = 0; i < 30; i++) {
      await page.clock.runFor(1000)
      await page.mouse.move(200 + (i % 2) * 40, 300 + i)
      lastInput = await pageNow(page)
    }
    // Then two minutes with no input at all (idle after the 60 s timeout).
    for (let i = 0; i < 24; i++) await page.clock.runFor(5000)
    assert.match((await page.textContent('[data-testid=state]'))!, /Inactive: idle/)

    await page.fill('[data-testid=total]', '10')
    await page.fill('[data-testid=correct]', '9')
    await page.fill('[data-testid=xp]', '150')
    const completedAt = await pageNow(page)
    await page.click('[data-testid=complete]')
    await waitFor('completion', async () => /Completed/.test((await page.textContent('[data-testid=complete-note]')) ?? ''))

    const activeMs = lastInput + 60_000 - started
    const inactiveMs = completedAt - (lastInput + 60_000)
    await waitFor('the ActivityEvent at the mock Caliper', async () => (await received()).some((r) => r.envelope.data.some((e) => e.type === 'ActivityEvent')))
    await page.clock.runFor(2000)
    await page.waitForTimeout(500)
    await page.screenshot({ path: `${SHOTS}/demo-desktop.png`, fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: `${SHOTS}/demo-phone.png`, fullPage: true })
    await page.close() // pagehide: anything still pending goes by beacon
    await new Promise((r) => setTimeout(r, 1000))

    const envelopes = await received()
    const validator = createSpecValidator({ strictSubjects: 'newest' })
    for (const { envelope } of envelopes) {
      const report = validator.validateEnvelope(envelope)
      assert.deepEqual([...report.seed, ...report.strict], [], 'valid against both published schemas')
      assert.ok(validateEnvelope(envelope).ok, 'valid against our schemas')
    }
    const events = envelopes.flatMap((r) => r.envelope.data)
    const ids = events.map((e) => e.id)
    assert.equal(new Set(ids).size, ids.length, `no event received twice: ${ids.join(', ')}`)
    const spent = events.filter((e) => e.type === 'TimeSpentEvent')
    const seconds = (type: string) => spent.flatMap((e) => e.generated.items).filter((i: any) => i.type === type).reduce((a: number, i: any) => a + i.value, 0)
    assert.equal(seconds('active'), Math.floor(activeMs / 1000), 'active seconds')
    assert.equal(seconds('inactive'), Math.floor(inactiveMs / 1000), 'inactive seconds')
    assert.equal(seconds('waste') + seconds('unknown') + seconds('anti-pattern'), 0)
    const completions = events.filter((e) => e.type === 'ActivityEvent')
    assert.equal(completions.length, 1)
    assert.deepEqual(completions[0]!.generated.items, [
      { type: 'totalQuestions', value: 10 },
      { type: 'correctQuestions', value: 9 },
      { type: 'xpEarned', value: 150 },
    ])
    assert.equal(completions[0]!.actor.email, 'demo.student@example.org')
    assert.deepEqual(problems, [], 'no page errors (a CSP violation would be one)')
    await context.close()
  })
})
