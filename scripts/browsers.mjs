// Where the test browsers live, and one clear message when one is missing.
// Defaults are Debian's packages (what .ci/run installs); env vars point elsewhere, e.g. on a
// laptop: CHROME_PATH="$(node -e "console.log(require('playwright').chromium.executablePath())")"
import { existsSync } from 'node:fs'

export const browserPaths = {
  chromium: {
    env: 'CHROME_PATH',
    path: process.env.CHROME_PATH || '/usr/bin/chromium',
    install: 'sudo apt-get install chromium   (or: npx playwright install chromium, then set CHROME_PATH)',
  },
  firefox: {
    env: 'FIREFOX_PATH',
    path: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
    install: 'sudo apt-get install firefox-esr   (or set FIREFOX_PATH to a Firefox binary)',
  },
  webkit: {
    env: 'WEBKIT_DRIVER_PATH',
    path: process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver',
    install: 'sudo apt-get install webkit2gtk-driver xvfb   (WebKitGTK MiniBrowser; Linux only)',
  },
}

export const webkitMiniBrowser =
  process.env.WEBKIT_BROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'

/** Chromium flags that keep a sandboxed, offline CI machine quiet. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
]

/** The engines asked for with BROWSERS=chromium,firefox,webkit (default: all three). */
export function requestedBrowsers() {
  const names = (process.env.BROWSERS || 'chromium,firefox,webkit')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  for (const name of names) {
    if (!(name in browserPaths)) fail(`Unknown browser "${name}" in BROWSERS; use chromium, firefox or webkit.`)
  }
  return names
}

/** Exits with one readable message (no stack trace) when a requested browser is missing. */
export function assertInstalled(names) {
  const missing = names.filter((name) => !existsSync(browserPaths[name].path))
  if (names.includes('webkit') && !existsSync(webkitMiniBrowser)) missing.push('webkit')
  if (missing.length === 0) return
  const lines = [...new Set(missing)].map((name) => {
    const b = browserPaths[name]
    return `  - ${name}: not found at ${b.path} (set ${b.env})\n      install: ${b.install}`
  })
  fail(
    `Missing test browser(s):\n${lines.join('\n')}\n` +
      `Run only some engines with e.g. BROWSERS=chromium npm test, or run .ci/run to install all three.`,
  )
}

function fail(message) {
  console.error(`\n${message}\n`)
  process.exit(1)
}
