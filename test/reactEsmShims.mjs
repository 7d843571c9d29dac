// React is published as CommonJS only. The test server serves ES modules, so bundle the React
// entries once into ES modules (one shared copy of React, via code splitting) with their named
// exports spelled out (taken from the real modules), and resolve bare `react…` imports in tests
// to those files.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'

const require = createRequire(import.meta.url)
const entries = ['react', 'react/jsx-runtime', 'react-dom', 'react-dom/client', 'react-dom/server']
const outDir = 'node_modules/.cache/react-esm'

export async function buildReactShims() {
  const srcDir = join(outDir, 'src')
  mkdirSync(srcDir, { recursive: true })
  const files = {}
  const entryPoints = {}
  for (const entry of entries) {
    const names = Object.keys(require(entry)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default')
    const name = entry.replace(/\//g, '__')
    const src = resolve(srcDir, `${name}.js`)
    writeFileSync(src, `import m from '${entry}'\nexport const { ${names.join(', ')} } = m\nexport default m\n`)
    entryPoints[name] = src
    files[entry] = `/${outDir}/${name}.js`
  }
  await build({
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: outDir,
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'error',
  })
  return {
    name: 'react-esm-shims',
    resolveImport({ source }) {
      return files[source]
    },
  }
}
