// Bundle sizes: what a learning app pays to load the tracker. `--check` fails when a budget
// in package.json "sizeBudgets" (bytes, min+gzip) is exceeded; without it, prints a table.
//   iife    dist/timeback-tracker.iife.min.js: everything a <script> tag gets
//   react   what timeback-tracker/react adds on top of the core ESM entry (react external)
//   vue     what timeback-tracker/vue adds on top of the core ESM entry (vue external)
//   frame   dist/timeback-tracker-frame.iife.min.js: timeback-tracker/frame for a script tag
//   svelte  what timeback-tracker/svelte adds on top of the core ESM entry (svelte external)
//   solid   what timeback-tracker/solid adds on top of the core ESM entry (solid-js external)
import { readFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const budgets = pkg.sizeBudgets ?? {}

const gzip = (buf) => gzipSync(buf, { level: 9 }).length
const brotli = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length

/** Bundles `contents` (ESM, resolved from the project root) minified; returns the bytes. */
async function bundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    platform: 'browser',
    external: ['react', 'react-dom', 'vue', 'svelte', 'solid-js'],
    logLevel: 'error',
  })
  return Buffer.from(result.outputFiles[0].contents)
}

export async function measure() {
  const iife = readFileSync('dist/timeback-tracker.iife.min.js')
  const frame = readFileSync('dist/timeback-tracker-frame.iife.min.js')
  const core = await bundle(`export * from './dist/esm/index.js'`)
  const withReact = await bundle(`export * from './dist/esm/index.js'; export * as react from './dist/esm/react.js'`)
  const withVue = await bundle(`export * from './dist/esm/index.js'; export * as vue from './dist/esm/vue.js'`)
  const withSvelte = await bundle(`export * from './dist/esm/index.js'; export * as svelte from './dist/esm/svelte.js'`)
  const withSolid = await bundle(`export * from './dist/esm/index.js'; export * as solid from './dist/esm/solid.js'`)
  const eventsOnly = await bundle(`export { buildTimeSpentEvent, buildActivityEvent, buildEnvelope } from './dist/esm/index.js'`)
  const timeme = readFileSync('node_modules/timeme.js/timeme.min.js')
  return [
    { name: 'iife', label: 'script tag: dist/timeback-tracker.iife.min.js', raw: iife.length, gzip: gzip(iife), brotli: brotli(iife) },
    { name: 'esm', label: 'ESM: everything from timeback-tracker', raw: core.length, gzip: gzip(core), brotli: brotli(core) },
    { name: 'react', label: 'timeback-tracker/react, beyond the core', raw: withReact.length - core.length, gzip: gzip(withReact) - gzip(core), brotli: brotli(withReact) - brotli(core) },
    { name: 'vue', label: 'timeback-tracker/vue, beyond the core', raw: withVue.length - core.length, gzip: gzip(withVue) - gzip(core), brotli: brotli(withVue) - brotli(core) },
    { name: 'frame', label: 'cross-origin frame: timeback-tracker-frame.iife', raw: frame.length, gzip: gzip(frame), brotli: brotli(frame) },
    { name: 'svelte', label: 'timeback-tracker/svelte, beyond the core', raw: withSvelte.length - core.length, gzip: gzip(withSvelte) - gzip(core), brotli: brotli(withSvelte) - brotli(core) },
    { name: 'solid', label: 'timeback-tracker/solid, beyond the core', raw: withSolid.length - core.length, gzip: gzip(withSolid) - gzip(core), brotli: brotli(withSolid) - brotli(core) },
    { name: 'events', label: 'ESM: only the event builders', raw: eventsOnly.length, gzip: gzip(eventsOnly), brotli: brotli(eventsOnly) },
    { name: 'timeme', label: 'for comparison: timeme.js 2.1.0 (min)', raw: timeme.length, gzip: gzip(timeme), brotli: brotli(timeme) },
  ]
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const rows = await measure()
  console.log('bundle'.padEnd(48), 'min'.padStart(10), 'min+gzip'.padStart(10), 'min+brotli'.padStart(11), '  budget (gzip)')
  let failed = false
  for (const row of rows) {
    const budget = budgets[row.name]
    const over = budget !== undefined && row.gzip > budget
    failed ||= over
    console.log(row.label.padEnd(48), kb(row.raw).padStart(10), kb(row.gzip).padStart(10), kb(row.brotli).padStart(11), budget === undefined ? '' : `  ${kb(budget)}${over ? '  ✖ OVER' : '  ✔'}`)
  }
  if (process.argv.includes('--check') && failed) {
    console.error('\nA size budget is exceeded (package.json "sizeBudgets").')
    process.exit(1)
  }
}
