// npm test: everything CI checks, in order, stopping at the first failure. First the set-up:
// npm dependencies (pretest), then what the chosen steps need from the system (browsers,
// PostgreSQL, Redis: installed on Debian/Ubuntu as root or with sudo, else one command printed).
//   1. type-check (esbuild strips types without checking them); the API reference: TypeDoc
//      fails when an exported symbol of a public entry has no doc comment (typedoc.config.mjs)
//   2. build dist/ (the size check, the CSP test and the end-to-end test use it)
//   3. size budgets
//   4. Node tests (event conformance against the published OpenAPI files, the proxy, the packed
//      package with publint and arethetypeswrong)
//   5. browser tests in Chromium, Firefox and WebKit (BROWSERS=chromium,... to choose)
//   6. end-to-end in Chromium: `npm start`'s demo with its mock Caliper endpoint, the Next.js
//      and Vite + Express examples (examples/next, examples/vite-express: each its own npm
//      install; the latter on a PostgreSQL its test starts), and every code block and link of the
//      README and docs/; the back/forward cache in each chosen engine
import { spawnSync } from 'node:child_process'
import { ensureSystem } from './systemSetup.mjs'

const steps = [
  ['type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['type-check (node)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.node.json']],
  ['API reference', 'npx', ['typedoc', '--emit', 'none']],
  ['build', 'node', ['scripts/build.mjs']],
  ['size budgets', 'node', ['scripts/size.mjs', '--check']],
  ['node tests', 'npm', ['run', '-s', 'test:node']],
  ['browser tests', 'npx', ['wtr']],
  ['end-to-end', 'npm', ['run', '-s', 'test:e2e']],
]

const only = process.env.TEST_STEPS?.split(',')
const chosen = steps.filter(([name]) => !only || only.includes(name))
if (!ensureSystem(chosen.map(([name]) => name))) process.exit(1)
for (const [name, cmd, args] of chosen) {
  console.log(`\n▶ ${name}`)
  const started = Date.now()
  const { status } = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' })
  if (status !== 0) {
    console.error(`\n✖ ${name} failed`)
    process.exit(status ?? 1)
  }
  console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}
console.log('\nAll checks passed.')
