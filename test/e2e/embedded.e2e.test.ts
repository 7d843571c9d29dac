// The demo's "Embedded in another site" page in real Chromium: the tool runs in a cross-site
// iframe (localhost ⇄ 127.0.0.1) and has no focus until clicked; the real mouse moving and the
// wheel turning over it, with no click, is attention.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { startDemoServer } from './demoServer.js'

let server: Awaited<ReturnType<typeof startDemoServer>>
let browser: Browser

before(async () => {
  assertInstalled(['chromium'])
  server = await startDemoServer()
  browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
})
after(async () => {
  await browser?.close()
  server?.stop()
})

describe('the demo embedded in another site', () => {
  it('hovering and wheeling over the unclicked tool is active', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } })
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(`${server.base}/embed.html`)
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
