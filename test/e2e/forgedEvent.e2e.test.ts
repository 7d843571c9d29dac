// The QA demo's forged event (issue 12): a day of active time in one minute, posted straight to
// the proxy from the page, is refused with its reasons and never reaches the mock Caliper.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { demoInChromium } from './demoInChromium.js'

const demo = demoInChromium()

describe('the demo, a forged event', () => {
  it('is refused by the proxy, and the page says why', async () => {
    const page = await demo.browser.newPage()
    await page.goto(demo.server.base)
    await page.waitForSelector('body[data-ready]')
    await page.click('[data-testid=forge]')
    const note = page.locator('[data-testid=forge-note]')
    await note.filter({ hasText: 'Refused' }).waitFor()
    assert.match(await note.innerText(), /generated\.items\[0\]\.value: is more than the time between startDate and endDate/)
    const received = (await (await fetch(`${demo.server.base}/mock-caliper/received`)).json()) as unknown[]
    assert.equal(received.length, 0)
    await page.close()
  })
})
