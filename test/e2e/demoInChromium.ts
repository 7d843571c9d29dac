// `npm start`'s demo server and a Chromium to drive it, started once for a test file and
// stopped after it.
import { after, before } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'
import { startDemoServer } from './demoServer.js'

export interface DemoInChromium {
  server: Awaited<ReturnType<typeof startDemoServer>>
  browser: Browser
}

/** Call at the top of a test file: the holder is filled before its first test. */
export function demoInChromium(): DemoInChromium {
  const demo = {} as DemoInChromium
  before(async () => {
    assertInstalled(['chromium'])
    demo.server = await startDemoServer()
    demo.browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
  })
  after(async () => {
    await demo.browser?.close()
    demo.server?.stop()
  })
  return demo
}
