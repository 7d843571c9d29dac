// Runs before `npm start` and `npm test`: a fresh clone has no node_modules yet, so install
// exactly what package-lock.json says (npm ci) when it is missing or older than the lock file.
// `node scripts/ensureDeps.mjs examples/next` does the same for an example (the end-to-end tests
// of examples/next and examples/vite-express call it), without install scripts (an example
// links this package, whose `prepare` would rebuild it; neither example needs any).
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

export function ensureDeps(dir = '.', extraArgs = []) {
  const marker = join(dir, 'node_modules/.package-lock.json')
  const lock = join(dir, 'package-lock.json')
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return
  console.log(`Installing dependencies in ${dir} (npm ci)…`)
  const { status } = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', ...extraArgs], {
    cwd: dir,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    // Puppeteer only drives Firefox here; never let it download a Chrome.
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  })
  if (status !== 0) process.exit(status ?? 1)
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const dir = process.argv[2]
  if (dir) ensureDeps(dir, ['--ignore-scripts'])
  else ensureDeps()
}
