// Test-runner server commands that reach the real browser where the launcher allows it
// (Playwright's Chromium): open a second top-level page of the test origin (optionally on
// Playwright's page clock), evaluate in it, drive its clock, and crash its renderer for real
// (CDP Page.crash: no pagehide, no unload, nothing).
const pages = new Map()

export const serverCommands = [
  {
    name: 'page-control',
    async executeCommand({ command, payload, session }) {
      if (!['open-page', 'page-eval', 'page-clock', 'crash-page', 'close-page'].includes(command)) return undefined
      if (session.browser.type !== 'playwright') throw new Error(`${command} needs the playwright launcher`)
      const testPage = session.browser.getPage(session.id)
      if (command === 'open-page') {
        // The clock belongs to the browser context: a page on its own clock gets its own context,
        // or the test runner's page would stop with it.
        const onClock = payload.clockTime !== undefined
        const context = onClock ? await testPage.context().browser().newContext() : testPage.context()
        const page = await context.newPage()
        if (onClock) await page.clock.install({ time: payload.clockTime })
        // Each command must answer within wtr's 20 s: a page on a clock is waited for by the test.
        await page.goto(new URL(payload.url, testPage.url()).href, onClock ? { waitUntil: 'commit' } : {})
        pages.set(payload.name, page)
        return true
      }
      const page = pages.get(payload.name)
      if (!page) throw new Error(`no page named ${payload.name}`)
      // Wrapped: a null or undefined result would tell the runner "not handled".
      if (command === 'page-eval') return { value: await page.evaluate(payload.expression) }
      if (command === 'page-clock') {
        const methods = ['pauseAt', 'runFor', 'fastForward', 'setSystemTime']
        if (!methods.includes(payload.method)) throw new Error(`no page.clock.${payload.method}`)
        await page.clock[payload.method](payload.arg)
        return true
      }
      if (command === 'crash-page') {
        const cdp = await page.context().newCDPSession(page)
        const crashed = page.waitForEvent('crash')
        cdp.send('Page.crash').catch(() => {})
        await crashed
      }
      await page.close().catch(() => {})
      if (page.context() !== testPage.context()) await page.context().close()
      pages.delete(payload.name)
      return true
    },
  },
]
