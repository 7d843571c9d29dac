// Test-runner server commands that reach the real browser where the launcher allows it
// (Playwright's Chromium): open a second top-level page of the test origin, evaluate in it,
// and crash its renderer for real (CDP Page.crash: no pagehide, no unload, nothing).
const pages = new Map()

export const serverCommands = [
  {
    name: 'page-control',
    async executeCommand({ command, payload, session }) {
      if (!['open-page', 'page-eval', 'crash-page', 'close-page'].includes(command)) return undefined
      if (session.browser.type !== 'playwright') throw new Error(`${command} needs the playwright launcher`)
      const testPage = session.browser.getPage(session.id)
      if (command === 'open-page') {
        const page = await testPage.context().newPage()
        await page.goto(new URL(payload.url, testPage.url()).href)
        pages.set(payload.name, page)
        return true
      }
      const page = pages.get(payload.name)
      if (!page) throw new Error(`no page named ${payload.name}`)
      // Wrapped: a null or undefined result would tell the runner "not handled".
      if (command === 'page-eval') return { value: await page.evaluate(payload.expression) }
      if (command === 'crash-page') {
        const cdp = await page.context().newCDPSession(page)
        const crashed = page.waitForEvent('crash')
        cdp.send('Page.crash').catch(() => {})
        await crashed
      }
      await page.close().catch(() => {})
      pages.delete(payload.name)
      return true
    },
  },
]
