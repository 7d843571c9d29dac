// Real-browser tests: Chromium (playwright), Firefox ESR (puppeteer over WebDriver BiDi) and
// WebKit (WebKitGTK MiniBrowser over WebDriver classic). Choose engines with BROWSERS=...
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { esbuildPlugin } from '@web/dev-server-esbuild'
import { fromRollup } from '@web/dev-server-rollup'
import rollupReplace from '@rollup/plugin-replace'
import { playwrightLauncher } from '@web/test-runner-playwright'
import { puppeteerLauncher } from '@web/test-runner-puppeteer'
import { webdriverLauncher } from '@web/test-runner-webdriver'
import {
  assertInstalled,
  browserPaths,
  chromiumArgs,
  requestedBrowsers,
  webkitMiniBrowser,
} from './scripts/browsers.mjs'
import { collectorMiddleware } from './test/collectorMiddleware.mjs'
import { cspMiddleware } from './test/cspMiddleware.mjs'
import { frameworkCompilers } from './test/frameworkCompilers.mjs'
import { buildReactShims } from './test/reactEsmShims.mjs'
import { serverCommands } from './test/serverCommands.mjs'

const replace = fromRollup(rollupReplace)
const names = requestedBrowsers()
assertInstalled(names)

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** WebKitWebDriver needs an X display for MiniBrowser; xvfb-run gives it one unless we have one. */
async function startWebKitDriver() {
  const port = await freePort()
  const driver = browserPaths.webkit.path
  const child = process.env.DISPLAY
    ? spawn(driver, [`--port=${port}`], { stdio: 'ignore' })
    : spawn('xvfb-run', ['-a', driver, `--port=${port}`], { stdio: 'ignore', detached: true })
  const stop = () => {
    try {
      process.kill(process.env.DISPLAY ? child.pid : -child.pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  process.once('exit', stop)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => (stop(), process.exit(130)))
  await waitForPort(port)
  return port
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`)
      if (res.ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  console.error(`WebKitWebDriver did not start on port ${port}`)
  process.exit(1)
}

const browsers = []
if (names.includes('chromium')) {
  browsers.push(
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: browserPaths.chromium.path, args: chromiumArgs },
    }),
  )
}
if (names.includes('firefox')) {
  browsers.push(
    puppeteerLauncher({
      launchOptions: { browser: 'firefox', executablePath: browserPaths.firefox.path, headless: true },
    }),
  )
}
if (names.includes('webkit')) {
  const port = await startWebKitDriver()
  browsers.push(
    webdriverLauncher({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      capabilities: {
        browserName: 'MiniBrowser',
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary: webkitMiniBrowser, args: ['--automation'] },
      },
    }),
  )
}

export default {
  files: process.env.TEST_FILES ? process.env.TEST_FILES.split(',') : ['test/browser/**/*.test.{ts,tsx}'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  // One page at a time: focus and visibility are per window, and WebKit's driver runs one session.
  concurrency: 1,
  browsers,
  middleware: [cspMiddleware, collectorMiddleware],
  testFramework: { config: { timeout: 20000 } },
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 300000,
  plugins: [
    frameworkCompilers,
    esbuildPlugin({ ts: true, target: 'es2020' }),
    await buildReactShims(),
    // Vue's ES build reads bundler-time flags: give it what a bundler would.
    replace({
      include: ['**/node_modules/@vue/**', '**/node_modules/vue/**'],
      preventAssignment: true,
      values: {
        'process.env.NODE_ENV': '"development"',
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
    }),
    ...serverCommands,
  ],
}
