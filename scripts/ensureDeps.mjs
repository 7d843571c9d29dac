// Runs before `npm start` and `npm test`: a fresh clone has no node_modules yet, so install
// exactly what package-lock.json says (npm ci) when it is missing or older than the lock file.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const marker = 'node_modules/.package-lock.json'
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs
if (stale) {
  console.log('Installing dependencies (npm ci)…')
  const { status } = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
    // Puppeteer only drives Firefox here; never let it download a Chrome.
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  })
  if (status !== 0) process.exit(status ?? 1)
}
