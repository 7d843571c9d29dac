// `npm start` builds first when dist/ is missing or older than the sources.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name)
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)

export function ensureBuilt(root: string): void {
  const bundle = join(root, 'dist/timeback-tracker.iife.min.js')
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(root, 'src'))) return
  console.log('Building dist/ first (sources changed since the last build)…')
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' })
}
