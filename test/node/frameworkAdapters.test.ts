// The Svelte and Solid sections of the README: their code compiles (for the browser and the
// server) with each framework's own compiler, and rendered on the server it does nothing: no
// tracker is created, no activity started (there is no page to measure).
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
// @ts-expect-error: a plain .mjs shared with the wtr config, without type declarations
import { compileSolid, compileSvelte } from '../frameworkCompilers.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** The code blocks of one README section, by language. */
function blocks(section: string, language: string): string[] {
  const start = readme.indexOf(`\n### ${section}\n`)
  assert.ok(start >= 0, `README has a ${section} section`)
  const end = readme.indexOf('\n## ', start + 1)
  const text = readme.slice(start, end)
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
}

// Compiled modules go under node_modules so that they resolve the frameworks as an app would.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true })
const dir = mkdtempSync(join(root, 'node_modules/.cache/readme-adapters-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const adapter = (name: string) => pathToFileURL(join(root, `src/${name}/index.ts`)).href
const registry = () => (globalThis as Record<symbol, Map<string, unknown> | undefined>)[Symbol.for('timeback-tracker.registry')]
const student = { id: 'https://sis.example/users/123', email: 'student@example.com' }

describe('README: Svelte', () => {
  const [app, lesson] = blocks('Svelte', 'svelte')

  it('has the two components, which compile for the browser', () => {
    assert.ok(app && lesson, 'App.svelte and Lesson.svelte blocks')
    for (const source of [app, lesson]) assert.match(compileSvelte(source, 'Readme.svelte', 'client'), /timeback-tracker\/svelte/)
  })

  it('renders on the server and does nothing there', async () => {
    const write = (name: string, source: string) =>
      writeFileSync(
        join(dir, `${name}.js`),
        compileSvelte(source, `${name}.svelte`, 'server')
          .replaceAll("'timeback-tracker/svelte'", `'${adapter('svelte')}'`)
          .replaceAll("'./Lesson.svelte'", "'./Lesson.js'"),
      )
    write('Lesson', lesson!)
    write('App', app!)
    const { render } = await import('svelte/server')
    const { default: App } = await import(pathToFileURL(join(dir, 'App.js')).href)
    const { body } = render(App, { props: { student } })
    assert.match(body, /<button[^>]*>\s*Finish \(\)\s*<\/button>/)
    assert.equal(registry()?.size ?? 0, 0, 'no tracker was created')
  })
})

describe('README: Solid', () => {
  const [source] = blocks('Solid', 'tsx')

  it('compiles with Solid’s JSX transform for the browser', async () => {
    assert.ok(source, 'a tsx block')
    assert.match(await compileSolid(source, 'Readme.tsx', 'dom'), /timeback-tracker\/solid/)
  })

  it('renders on the server and does nothing there', async () => {
    const code = (await compileSolid(source!, 'Readme.tsx', 'ssr')).replace(/(["'])timeback-tracker\/solid\1/g, `'${adapter('solid')}'`)
    writeFileSync(join(dir, 'SolidApp.js'), code)
    const { renderToString } = await import('solid-js/web')
    const { App } = await import(pathToFileURL(join(dir, 'SolidApp.js')).href)
    const html = renderToString(() => App({ student }))
    assert.match(html, /<button[^>]*>Finish \(<!--\$-->(<!--\/-->)?\)<\/button>|<button[^>]*>Finish \(\)<\/button>/)
    assert.equal(registry()?.size ?? 0, 0, 'no tracker was created')
  })
})
