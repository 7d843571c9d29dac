// Every fenced code block of README.md and of the guides in docs/ runs or type-checks as shown,
// every relative link among them leads to a file and heading that exist, and the README links to
// every guide, so the docs cannot drift from the code or from each other. Needs the build (npm
// test builds first). Conventions, by info string:
//
//   ```sh          commands. Each `npm …` must be `npm install|ci|pack` or name a script in the
//                  package.json of the folder it runs in (`cd` is followed, from the repository
//                  root); a `.tgz` named must be the one `npm pack` writes. They run elsewhere:
//                  npm test is this run, npm start is the demo test, pack/install the packaging
//                  test, the Next.js example's install/build/start its test.
//   ```html        a page, served under a strict CSP (script-src 'self') to Chromium with the
//                  page clock: its scripts are files of dist/ or `js NAME` blocks, matched by file
//                  name; /api/caliper answers like a proxy. After 5 s every button is clicked;
//                  a TimeSpentEvent and an ActivityEvent must arrive, with no error on the page.
//   ```js NAME     a classic script named NAME, served to the html blocks.
//   ```js / ts / jsx / tsx
//                  a module, type-checked with `tsc --strict` (js as ts, jsx as tsx) against the
//                  built package as an app imports it; `*.vue` imports are components, and the
//                  script tag's global `TimebackTracker` is there, typed as the package types it
//                  (`timeback-tracker/iife`). Names your app provides are
//                  declared in the block (`declare function getSession(…)`), in a ts block. A
//                  package this repository does not install (an optional peer such as `pg`) is
//                  declared untyped. A tsx block importing solid-js (or our solid entry) is
//                  compiled with Solid's JSX.
//   ```svelte      a Svelte component, in the README only: compiled and rendered on the server
//                  by test/node/frameworkAdapters.test.ts (Svelte's own compiler).
//   ``` (no info string) or ```text
//                  not code (a folder tree, an error message): skipped.
// Fences may be indented (inside a list item). Any other info string fails the test: give a new
// kind of block a convention here first.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { basename, dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import { assertInstalled, browserPaths, chromiumArgs } from '../../scripts/browsers.mjs'

interface Block {
  /** The Markdown file, relative to the repository: README.md, docs/….md. */
  file: string
  lang: string
  name: string | undefined
  code: string
  /** Line of the file where the code starts. */
  line: number
}

function readBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(.*)$/.exec(lines[i]!)
    if (!open) continue
    const indent = open[1]!.length
    const [lang = '', name] = open[2]!.trim().split(/\s+/)
    const start = i + 1
    while (++i < lines.length && !/^ *```\s*$/.test(lines[i]!));
    const code = lines.slice(start, i).map((line) => line.slice(Math.min(indent, line.search(/\S|$/))))
    blocks.push({ file, lang, name, code: code.join('\n'), line: start + 1 })
  }
  return blocks
}

const repo = process.cwd()

/** Packages the blocks import that this repository does not install (optional peers). */
function uninstalled(code: Block[]): string[] {
  const names = code.flatMap((b) => [...b.code.matchAll(/from '([^'.][^']*)'/g)].map((m) => m[1]!))
  const pkg = (name: string) => (name.startsWith('@') ? name.split('/').slice(0, 2) : name.split('/').slice(0, 1)).join('/')
  return [...new Set(names.map(pkg))].filter(
    (name) => !name.startsWith('node:') && name !== 'timeback-tracker' && !existsSync(join(repo, 'node_modules', name)) && !existsSync(join(repo, 'node_modules/@types', name)),
  )
}
const documents = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
const blocks = documents.flatMap((file) => readBlocks(file, readFileSync(file, 'utf8')))
const at = (b: Block) => `${b.file}:${b.line}`
const modules = blocks.filter((b) => ['js', 'ts', 'jsx', 'tsx'].includes(b.lang) && !b.name)
const scripts = new Map(blocks.filter((b) => b.lang === 'js' && b.name).map((b) => [b.name!, b.code]))
const pages = blocks.filter((b) => b.lang === 'html')
const commands = blocks.filter((b) => b.lang === 'sh')

describe('README and docs/ code blocks', () => {
  it('each block is of a known kind', () => {
    const kinds = ['sh', 'html', 'js', 'ts', 'jsx', 'tsx', 'svelte', '', 'text']
    const known = (b: Block) => kinds.includes(b.lang) && (b.lang !== 'svelte' || b.file === 'README.md') && (!b.name || b.lang === 'js')
    assert.deepEqual(blocks.filter((b) => !known(b)).map((b) => `${at(b)} \`\`\`${b.lang} ${b.name ?? ''}`), [])
    const readme = (list: Block[]) => list.filter((b) => b.file === 'README.md').length
    assert.ok(readme(modules) >= 4 && readme(pages) >= 1 && readme(commands) >= 2, 'the README has its examples')
    assert.ok(documents.length > 1 && modules.some((b) => b.file !== 'README.md'), 'the docs/ guides are read')
    // Pages find their scripts by name, in every file: a second script of one name would hide the first.
    const named = blocks.filter((b) => b.name).map((b) => b.name)
    assert.deepEqual(named.filter((name, i) => named.indexOf(name) !== i), [], 'script names are unique')
  })

  it('links: every relative link leads to a file, and to a heading there when it names one', () => {
    // GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen.
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const prose = (markdown: string) => markdown.replace(/^ *```[^]*?^ *```\s*$/gm, '')
    const anchors = (file: string) => new Set([...prose(readFileSync(file, 'utf8')).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!)))
    const problems: string[] = []
    for (const file of documents) {
      for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue
        const [path, hash] = target!.split('#')
        const to = path ? join(dirname(file), path) : file
        if (!existsSync(to)) problems.push(`${file}: ${target}: no ${to}`)
        else if (hash !== undefined && (!to.endsWith('.md') || !anchors(to).has(hash))) problems.push(`${file}: ${target}: no heading #${hash} in ${to}`)
      }
    }
    assert.deepEqual(problems, [])
    // A guide the README does not link to is one a newcomer never finds.
    const linked = new Set([...readFileSync('README.md', 'utf8').matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]))
    assert.deepEqual(documents.filter((file) => file !== 'README.md' && !linked.has(file)), [], 'the README links to every guide')
  })

  it('sh: every npm command exists where it runs', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string }
    const problems: string[] = []
    for (const block of commands) {
      let cwd = repo
      const lines = block.code.replace(/\\\n/g, ' ').split('\n')
      for (const line of lines.map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean)) {
        for (const command of line.split('&&').map((c) => c.trim().replace(/^(\w+=\S+\s+)+/, ''))) {
          const [tool, verb = '', ...rest] = command.split(/\s+/)
          if (tool === 'cd') {
            cwd = resolve(cwd, verb)
            if (!existsSync(cwd)) problems.push(`${at(block)}: no folder ${verb}`)
          } else if (tool !== 'npm') {
            problems.push(`${at(block)}: only npm and cd commands are checked: ${command}`)
          } else if (['install', 'ci', 'pack'].includes(verb)) {
            for (const tgz of rest.filter((a) => a.endsWith('.tgz'))) {
              if (basename(tgz) !== `${pkg.name}-${pkg.version}.tgz`) problems.push(`${at(block)}: npm pack writes ${pkg.name}-${pkg.version}.tgz, not ${basename(tgz)}`)
            }
          } else {
            const script = verb === 'run' ? rest[0] : verb
            const scripts = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {}
            if (!script || !(script in scripts)) problems.push(`${at(block)}: no script "${script}" in ${join(cwd, 'package.json')}`)
          }
        }
      }
    }
    assert.deepEqual(problems, [])
  })

  it('js/ts/jsx/tsx: every module type-checks with tsc --strict against the built package', () => {
    // Inside the repository, so the blocks' other imports resolve from its node_modules; and
    // `timeback-tracker` is this package, linked into node_modules as an app has it (a
    // `/// <reference types>` finds a package only there, not by the package's own name).
    const dir = join(repo, 'test-results', 'readme-blocks')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    symlinkSync(repo, join(dir, 'node_modules', 'timeback-tracker'))
    const files = new Map<string, Block>()
    // One file per block, named after where it comes from: README.md:76 → README.md-76.tsx.
    const source = (file: string) => file.replace('/', '~')
    for (const block of modules) {
      const file = `${source(block.file)}-${block.line}.${block.lang.startsWith('j') ? block.lang.replace('j', 't') : block.lang}`
      // Solid's JSX: the file's own pragma (on the first line, so line numbers hold).
      const solid = /from '(solid-js|timeback-tracker\/solid)'/.test(block.code) ? '/** @jsxImportSource solid-js */ ' : ''
      writeFileSync(join(dir, file), solid + block.code + '\n')
      files.set(file, block)
    }
    writeFileSync(join(dir, 'ambient.d.ts'), [
      '/// <reference types="timeback-tracker/iife" />',
      "declare module '*.vue' {",
      "  const component: import('vue').Component",
      '  export default component',
      '}',
      ...uninstalled(modules).map((name) => `declare module '${name}'`),
      '',
    ].join('\n'))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, skipLibCheck: true, isolatedModules: true, moduleDetection: 'force',
        target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: ['node'],
      },
      include: ['*.ts', '*.tsx'],
    }))
    try {
      execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' })
    } catch (error) {
      // Point at the Markdown lines: "README.md-76.tsx(3,5): error …" is README.md:78.
      const out = String((error as { stdout?: string }).stdout).replace(
        /(?:\S*\/)?([\w.~-]+\.md)-(\d+)\.\w+\((\d+),(\d+)\)/g,
        (_, f: string, l, r, c) => `${f.replace('~', '/')}:${Number(l) + Number(r) - 1}:${c}`,
      )
      assert.fail(`Code in the docs does not type-check:\n${out}`)
    }
  })

  describe('html: the page runs in Chromium and delivers', () => {
    let server: Server
    let base: string
    let browser: Browser
    const received: Array<{ type: string; id: string }> = []
    const csp = "default-src 'self'; script-src 'self'; connect-src 'self'"
    let html = ''

    before(async () => {
      assertInstalled(['chromium'])
      server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname
        if (req.method === 'POST' && path === '/api/caliper') {
          let body = ''
          req.on('data', (d) => (body += d))
          req.on('end', () => {
            const events = (JSON.parse(body) as { data: Array<{ type: string; id: string }> }).data
            received.push(...events.map(({ type, id }) => ({ type, id })))
            res.writeHead(200, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ status: 'success', accepted: events.map((e) => e.id), duplicates: [], rejected: [] }))
          })
          return
        }
        const name = basename(path)
        const script = scripts.get(name) ?? (existsSync(join('dist', name)) && name.endsWith('.js') ? readFileSync(join('dist', name), 'utf8') : undefined)
        if (path === '/' || script !== undefined) {
          res.writeHead(200, { 'content-type': path === '/' ? 'text/html' : 'text/javascript', 'content-security-policy': csp })
          res.end(path === '/' ? `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>README</title></head><body>\n${html}\n</body></html>` : script)
          return
        }
        res.writeHead(path === '/favicon.ico' ? 204 : 404).end()
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      browser = await chromium.launch({ executablePath: browserPaths.chromium.path, args: chromiumArgs })
    })
    after(async () => {
      await browser?.close()
      server?.close()
    })

    for (const block of pages) {
      it(`the page at ${at(block)}`, async () => {
        html = block.code
        received.length = 0
        const page = await browser.newPage()
        const problems: string[] = []
        page.on('pageerror', (e) => problems.push(e.message))
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
        page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`))
        await page.clock.install()
        await page.goto(base)
        await page.clock.runFor(5_000)
        for (const button of await page.locator('button').all()) await button.click()
        const deadline = Date.now() + 20_000
        const types = () => new Set(received.map((e) => e.type))
        while (!(types().has('TimeSpentEvent') && types().has('ActivityEvent')) && problems.length === 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100))
        }
        await page.close()
        assert.deepEqual(problems, [])
        assert.deepEqual([...types()].sort(), ['ActivityEvent', 'TimeSpentEvent'])
      })
    }
  })
})
