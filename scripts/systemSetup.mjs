// What `npm test` needs from the operating system, and getting it: the browsers for the
// browser and end-to-end steps, and the PostgreSQL and Redis servers the proxy's ledger tests
// start. On Debian/Ubuntu as root or with sudo, what is missing is installed (saying what);
// elsewhere one command to run is printed and the run stops.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { browserPaths, requestedBrowsers, webkitMiniBrowser } from './browsers.mjs'

const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)))
const postgresBins = () => {
  try {
    return readdirSync('/usr/lib/postgresql').map((version) => `/usr/lib/postgresql/${version}/bin/postgres`)
  } catch {
    return []
  }
}

/** Debian package → is it there? (Browsers honour CHROME_PATH and friends.) */
const present = {
  chromium: () => existsSync(browserPaths.chromium.path),
  'firefox-esr': () => existsSync(browserPaths.firefox.path),
  'webkit2gtk-driver': () => existsSync(browserPaths.webkit.path) && existsSync(webkitMiniBrowser),
  xvfb: () => onPath('xvfb-run'),
  postgresql: () => onPath('postgres') || postgresBins().some(existsSync),
  'redis-server': () => onPath('redis-server'),
}

const engines = { chromium: 'chromium', firefox: 'firefox-esr', webkit: 'webkit2gtk-driver' }

/** The Debian packages the chosen test steps need. */
export function neededPackages({ steps, browsers, display }) {
  const needed = new Set()
  if (steps.includes('node tests')) ['postgresql', 'redis-server'].forEach((p) => needed.add(p))
  // The end-to-end step drives Chromium, and the back/forward cache test each chosen engine;
  // the Vite + Express example runs on a PostgreSQL its test starts.
  if (steps.includes('end-to-end')) ['chromium', 'postgresql'].forEach((p) => needed.add(p))
  if (steps.includes('browser tests') || steps.includes('end-to-end')) {
    for (const name of browsers) needed.add(engines[name])
    if (browsers.includes('webkit') && !display) needed.add('xvfb') // MiniBrowser needs an X display
  }
  return [...needed]
}

/**
 * What to do about `missing` packages: nothing, install them (Debian/Ubuntu, as root or with
 * sudo), or print the one command to run and stop.
 */
export function planSetup({ missing, apt, root, sudo }) {
  if (missing.length === 0) return { action: 'none' }
  const install = ['apt-get', 'install', '-y', '-qq', ...missing]
  if (apt && (root || sudo)) {
    const prefix = root ? [] : ['sudo']
    return { action: 'install', commands: [[...prefix, 'apt-get', 'update', '-qq'], [...prefix, ...install]] }
  }
  const command = `sudo apt-get install -y ${missing.join(' ')}`
  if (!apt) {
    const hint = 'not Debian/Ubuntu: install the same with your package manager, or test one engine: BROWSERS=chromium CHROME_PATH=/path/to/chrome npm test'
    return { action: 'print', command, hint }
  }
  return { action: 'print', command }
}

/** Checks the machine for the given test steps; installs or explains. Returns false to stop. */
export function ensureSystem(steps) {
  const needed = neededPackages({ steps, browsers: requestedBrowsers(), display: !!process.env.DISPLAY })
  const missing = needed.filter((name) => !present[name]())
  const plan = planSetup({
    missing,
    apt: existsSync('/etc/debian_version') && onPath('apt-get'),
    root: process.getuid?.() === 0,
    sudo: onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  })
  if (plan.action === 'none') return true
  if (plan.action === 'print') {
    console.error(`\nThe tests need ${missing.join(', ')}, which this machine lacks. Run:\n\n  ${plan.command}\n`)
    if (plan.hint) console.error(`(${plan.hint})\n`)
    return false
  }
  console.log(`\nInstalling what the tests need: ${missing.join(', ')} (Debian packages)`)
  for (const [cmd, ...args] of plan.commands) {
    console.log(`$ ${[cmd, ...args].join(' ')}`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    if (spawnSync(cmd, args, { stdio: 'inherit', env }).status !== 0) return false
  }
  const still = missing.filter((name) => !present[name]())
  if (still.length) console.error(`\nStill missing after installing: ${still.join(', ')}`)
  return still.length === 0
}
