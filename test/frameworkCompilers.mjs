// Compiles what the Svelte and Solid adapter tests are written in, the way an app's bundler
// would: `.svelte` files with Svelte's compiler, `.tsx` files with Solid's JSX transform
// (babel-preset-solid) after esbuild has stripped the types. Shared by wtr and the Node tests.
import { transformAsync } from '@babel/core'
import solid from 'babel-preset-solid'
import { transform } from 'esbuild'
import { compile } from 'svelte/compiler'

/** Svelte 5 component source → JS module (`client` for the browser, `server` for SSR). */
export function compileSvelte(source, filename, generate = 'client') {
  return compile(source, { filename, generate }).js.code
}

/** Solid TSX source → JS module (`dom` for the browser, `ssr` for the server). */
export async function compileSolid(source, filename, generate = 'dom') {
  const stripped = await transform(source, { loader: 'tsx', jsx: 'preserve', sourcefile: filename })
  const result = await transformAsync(stripped.code, {
    filename,
    babelrc: false,
    configFile: false,
    presets: [[solid, { generate, hydratable: false }]],
  })
  return result.code
}

/** wtr plugin: serves `.svelte` and `.tsx` files compiled. */
export const frameworkCompilers = {
  name: 'framework-compilers',
  resolveMimeType(context) {
    if (/\.(svelte|tsx)$/.test(context.path)) return 'js'
  },
  async transform(context) {
    if (context.path.endsWith('.svelte')) return { body: compileSvelte(context.body, context.path) }
    if (context.path.endsWith('.tsx')) return { body: await compileSolid(context.body, context.path) }
  },
}
