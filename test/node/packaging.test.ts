// Installing the package the ways a newcomer can today: `npm pack` (and a git install, which
// runs the same `prepare`) on a fresh clone must build dist/; the tarball must import in Node
// and type-check in an app, with the old `moduleResolution: "node"` too (typesVersions), the
// script tag's globals included; and the ecosystem's checkers, publint and arethetypeswrong,
// must find nothing in it. Runs npm offline-first: every dependency is in the npm cache after
// `npm ci`. The fresh clone is made without git, so this runs in a source archive too.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { sourceFiles } from './support/sourceFiles.js'

const repo = process.cwd()
const work = mkdtempSync(join(tmpdir(), 'timeback-pack-'))
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } })
const npm = (args: string[], cwd: string) => run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], cwd)
const locked = (name: string) => (JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version

const options = (moduleResolution: string) => ({
  strict: true, noEmit: true, skipLibCheck: true, target: 'es2020', lib: ['es2022', 'dom'], types: [],
  module: moduleResolution === 'node16' ? 'node16' : 'esnext', moduleResolution,
})
const tsc = (dir: string) => {
  try {
    run(process.execPath, [resolve(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], dir)
  } catch (error) {
    assert.fail(String((error as { stdout?: string }).stdout ?? error))
  }
}
// Node loads ES modules by require() from 20.19 on in Node 20, and from 22.12 in Node 22.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
const requireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)

let packed: { filename: string; unpackedSize: number; files: Array<{ path: string }> }
let app: string

before(() => {
  // A fresh clone: the committed (and new, unignored) files, no dist/. Its devDependencies are
  // this checkout's, as npm would install them for a git dependency before running `prepare`.
  const clone = join(work, 'clone')
  for (const file of sourceFiles(repo)) {
    mkdirSync(dirname(join(clone, file)), { recursive: true })
    cpSync(join(repo, file), join(clone, file), { verbatimSymlinks: true })
  }
  symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'))
  const json = npm(['pack', '--json', '--pack-destination', work], clone)
  packed = (JSON.parse(json.slice(json.indexOf('[\n'))) as Array<typeof packed>)[0]!

  app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  const peers = ['react', '@types/react', 'vue', 'fast-check'].map((name) => `${name}@${locked(name)}`)
  npm(['install', '--ignore-scripts', join(work, packed.filename), ...peers], app)
})
after(() => rmSync(work, { recursive: true, force: true }))

describe('the package, installed from a tarball of a fresh clone', () => {
  it("has dist/ (built by prepare), the globals' types and the changelog, and no source maps", () => {
    const paths = packed.files.map((f) => f.path)
    for (const file of ['dist/esm/index.js', 'dist/esm/react.js', 'dist/esm/vue.js', 'dist/proxy/index.js', 'dist/proxy/otel.js', 'dist/proxy/conformance.js', 'dist/timeback-tracker.iife.min.js', 'dist/types/index.d.ts', 'dist/types/react/index.d.ts', 'globals/TimebackTracker.d.ts', 'globals/TimebackFrame.d.ts', 'README.md', 'CHANGELOG.md']) {
      assert.ok(paths.includes(file), `${file} is in the tarball`)
    }
    assert.deepEqual(paths.filter((p) => p.endsWith('.map')), [])
    // A guard against shipping what was never meant to go (source maps would double it): about
    // 625 KB with the proxy's OpenTelemetry and conformance entries, the globals' types, CHANGELOG.
    assert.ok(packed.unpackedSize < 700_000, `unpacked ${packed.unpackedSize} bytes`)
  })

  it('imports in Node: the core, the adapters, the frame helper, the proxy and its conformance suites', () => {
    const out = run(process.execPath, ['--input-type=module', '-e', `
      const [core, react, vue, frame, proxy, conformance] = await Promise.all(['', '/react', '/vue', '/frame', '/proxy', '/proxy/conformance'].map((p) => import('timeback-tracker' + p)))
      console.log([core.createTracker, react.TrackerProvider, vue.TimebackTracker, frame.forwardInput, proxy.createCaliperProxy, conformance.ledgerConformance].map((x) => typeof x).join())`], app)
    assert.equal(out.trim(), 'function,function,object,function,function,function')
  })

  for (const moduleResolution of ['node', 'node16', 'bundler']) {
    it(`type-checks in an app with moduleResolution "${moduleResolution}"`, () => {
      const dir = join(app, moduleResolution)
      mkdirSync(dir)
      writeFileSync(join(dir, 'check.ts'), [
        "import { createTracker } from 'timeback-tracker'",
        "import { useActivity } from 'timeback-tracker/react'",
        "import { TimebackTracker } from 'timeback-tracker/vue'",
        "import { forwardInput } from 'timeback-tracker/frame'",
        "import { createCaliperProxy } from 'timeback-tracker/proxy'",
        "import { ledgerConformance } from 'timeback-tracker/proxy/conformance'",
        'export const entries = [createTracker, useActivity, TimebackTracker, forwardInput, createCaliperProxy, ledgerConformance]',
        "// @ts-expect-error the types are real, not any: there is no subject 'Cooking'",
        "export const bad = () => useActivity({ id: 'https://app.example/lessons/7', subject: 'Cooking' })",
        '',
      ].join('\n'))
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options(moduleResolution), files: ['check.ts'] }))
      tsc(dir)
    })

    it(`gives a script-tag page the globals' types with moduleResolution "${moduleResolution}"`, () => {
      const dir = join(app, `${moduleResolution}-page`)
      mkdirSync(dir)
      writeFileSync(join(dir, 'page.ts'), [
        '/// <reference types="timeback-tracker/iife" />',
        '/// <reference types="timeback-tracker/frame/iife" />',
        "const actor = { id: 'https://api.alpha-1edtech.ai/ims/oneroster/rostering/v1p2/users/123', email: 'student@example.com' }",
        "export const tracker = TimebackTracker.createTracker({ endpoint: '/api/caliper', app: { name: 'Math App' }, actor })",
        'export const subjects: readonly string[] = window.TimebackTracker.SUBJECTS',
        'export const isError = (e: unknown) => e instanceof TimebackTracker.TimebackValidationError || e instanceof TimebackTracker.TrackerError',
        "export const stop: () => void = TimebackFrame.forwardInput('https://app.example')",
        "// @ts-expect-error the types are real, not any: endpoint is a string",
        "TimebackTracker.createTracker({ endpoint: 1, app: { name: 'Math App' }, actor })",
        "// @ts-expect-error the global holds what the script tag defines, not the whole ESM API",
        'TimebackTracker.buildTimeSpentEvent',
        '',
      ].join('\n'))
      writeFileSync(join(dir, 'imports.ts'), [
        "// @ts-expect-error the script tag is no module: importing from it gives nothing",
        "import { createTracker } from 'timeback-tracker/iife'",
        'export const entries = [createTracker]',
        '',
      ].join('\n'))
      // skipLibCheck stays on (zod's own .d.ts files are not clean under every setting); a
      // global that failed to resolve would be `any`, and the @ts-expect-error lines catch that.
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options(moduleResolution), files: ['page.ts', 'imports.ts'] }))
      tsc(dir)
    })
  }

  it('loads from CommonJS by require() (Node 20.19 and later), typed with module "node20"', { skip: !requireEsm && `Node ${process.versions.node} cannot require() ES modules` }, () => {
    const dir = join(app, 'commonjs')
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }))
    writeFileSync(join(dir, 'check.ts'), [
      "import { createTracker } from 'timeback-tracker'",
      "import { createCaliperProxy } from 'timeback-tracker/proxy'",
      'console.log([createTracker, createCaliperProxy].map((x) => typeof x).join())',
      '',
    ].join('\n'))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...options('node16'), module: 'node20', noEmit: false, types: [] },
      files: ['check.ts'],
    }))
    tsc(dir)
    assert.match(readFileSync(join(dir, 'check.js'), 'utf8'), /require\("timeback-tracker\/proxy"\)/)
    assert.equal(run(process.execPath, ['check.js'], dir).trim(), 'function,function')
  })

  it('is clean for publint: no error, warning or suggestion', async () => {
    const tarball = new Uint8Array(readFileSync(join(work, packed.filename))).buffer
    const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true })
    assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`), [])
  })

  it('is clean for arethetypeswrong: every entry typed under node10, node16 (CJS, ESM) and bundler', () => {
    // The package is ESM only, on purpose (README, "Packaging"): the one rule not held is that
    // require() from CommonJS meets ES modules. Every entry must still resolve, with types, there.
    const attw = [join(repo, 'node_modules/@arethetypeswrong/cli/dist/index.js'), join(work, packed.filename)]
    const flags = ['--no-definitely-typed', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped', '--no-emoji', '--no-color']
    try {
      run(process.execPath, [...attw, ...flags], app)
    } catch (error) {
      assert.fail(String((error as { stdout?: string }).stdout ?? error))
    }
  })
})
