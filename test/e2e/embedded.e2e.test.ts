// The demo's "Embedded in another site" page in real Chromium: the tool runs in a cross-site
// iframe (localhost ⇄ 127.0.0.1) and has no focus until clicked; the real mouse moving and the
// wheel turning over it, with no click, is attention.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { demoInChromium } from './demoInChromium.js'

const demo = demoInChromium()

describe('the demo embedded in another site', () => {
  it('hovering and wheeling over the unclicked tool is active', async () => {
    const page = await demo.browser.newPage({ viewport: { width: 1000, height: 800 } })
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(`${demo.server.base}/embed.html`)
    const tool = page.frameLocator('iframe.embedded-tool')
    const state = tool.locator('[data-testid=state]')
    await state.filter({ hasText: 'inactive (blurred)' }).waitFor({ timeout: 20_000 })
    assert.match((await page.frames()[1]!.url()), /^http:\/\/127\.0\.0\.1:/, 'the tool is on the other site')
    const box = (await page.locator('iframe.embedded-tool').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2 + 10)
    await page.mouse.wheel(0, 120)
    await state.filter({ hasText: 'active (input)' }).waitFor({ timeout: 10_000 })
    assert.equal(await page.frames()[1]!.evaluate(() => document.hasFocus()), false, 'never clicked')
    assert.deepEqual(problems, [])
  })
})
