// Builds: ESM modules for bundlers (one file per source module, so importing only the event
// builders never pulls in IndexedDB or DOM code), a minified IIFE for <script> tags exposing
// `TimebackTracker`, and Node ESM for the proxy. Types come from `tsc` (scripts/build.mjs).
import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import esbuild from 'rollup-plugin-esbuild'

const browserEntries = {
  index: 'src/index.ts',
  react: 'src/react/index.ts',
  vue: 'src/vue/index.ts',
  frame: 'src/frame/index.ts',
  svelte: 'src/svelte/index.ts',
  solid: 'src/solid/index.ts',
}
const external = (id) => /^(react|react-dom|vue|svelte|solid-js|idb-keyval|nanoid|zod)(\/|$)/.test(id) || id.startsWith('node:')

const ts = () => esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' })
const minify = () => terser({ ecma: 2020, module: true, compress: { passes: 4, pure_getters: true }, format: { comments: false } })

export default [
  {
    input: browserEntries,
    external,
    treeshake: { moduleSideEffects: false },
    plugins: [ts()],
    output: {
      dir: 'dist/esm',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].js',
      sourcemap: true,
      // Next.js Server Components may import the React entry only if it says it runs on the
      // client. Rollup drops module-level directives from sources, so the build adds it.
      banner: (chunk) => (chunk.isEntry && chunk.name === 'react' ? "'use client';" : ''),
    },
  },
  {
    input: { index: 'src/proxy/index.ts', otel: 'src/proxy/otel/index.ts', conformance: 'src/proxy/conformance/index.ts' },
    external: (id) => id.startsWith('node:') || /^(zod|better-sqlite3|fast-check|@opentelemetry\/api)(\/|$)/.test(id),
    plugins: [esbuild({ target: 'node20', tsconfig: 'tsconfig.node.json' })],
    output: { dir: 'dist/proxy', format: 'es', entryFileNames: '[name].js', sourcemap: true },
  },
  // Two script-tag bundles: the tracker (`TimebackTracker`) and, for pages inside cross-origin
  // iframes, the input reporter (`TimebackFrame`).
  ...[
    ['src/iife.ts', 'timeback-tracker', 'TimebackTracker'],
    ['src/frame/index.ts', 'timeback-tracker-frame', 'TimebackFrame'],
  ].flatMap(([input, file, name]) => [false, true].map((min) => ({
    input,
    // Our modules and our dependencies have no load-time side effects (package.json
    // "sideEffects": false); say so, so schemas nobody uses are dropped from the bundle.
    treeshake: { moduleSideEffects: false, preset: 'smallest' },
    plugins: [nodeResolve({ browser: true }), ts(), ...(min ? [minify()] : [])],
    output: {
      file: `dist/${file}.iife${min ? '.min' : ''}.js`,
      format: 'iife',
      name,
      // A second copy (two script tags) extends the same global instead of replacing it.
      extend: true,
      sourcemap: true,
    },
  }))),
]
