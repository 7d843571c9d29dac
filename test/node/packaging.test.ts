// Installing the package the ways a newcomer can today: `npm pack` (and a git install, which
// runs the same `prepare`) on a fresh clone must build dist/; the tarball must import in Node
// and type-check in an app, with the old `moduleResolution: "node"` too (typesVersions). Runs
// npm offline-first: every dependency is in the npm cache after `npm ci`.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

const repo = process.cwd()
const work = mkdtempSync(join(tmpdir(), 'timeback-pack-'))
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } })
const npm = (args: string[], cwd: string) => run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], cwd)
const locked = (name: string) => (JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version

let packed: { filename: string; unpackedSize: number; files: Array<{ path: string }> }
let app: string

before(() => {
  // A fresh clone: the committed (and new, unignored) files, no dist/. Its devDependencies are
  // this checkout's, as npm would install them for a git dependency before running `prepare`.
  const clone = join(work, 'clone')
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo).split('\0').filter(Boolean)
  for (const file of files) {
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
  it('has dist/ (built by prepare) and no source maps', () => {
    const paths = packed.files.map((f) => f.path)
    for (const file of ['dist/esm/index.js', 'dist/esm/react.js', 'dist/esm/vue.js', 'dist/proxy/index.js', 'dist/proxy/conformance.js', 'dist/timeback-tracker.iife.min.js', 'dist/types/index.d.ts', 'dist/types/react/index.d.ts']) {
      assert.ok(paths.includes(file), `${file} is in the tarball`)
    }
    assert.deepEqual(paths.filter((p) => p.endsWith('.map')), [])
    // 600 KB before the ledger conformance entry (8 KB of suites, their types, the README section).
    assert.ok(packed.unpackedSize < 625_000, `unpacked ${packed.unpackedSize} bytes`)
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
      const module = moduleResolution === 'node16' ? 'node16' : 'esnext'
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'es2020', lib: ['es2022', 'dom'], types: [], module, moduleResolution },
        files: ['check.ts'],
      }))
      try {
        run(process.execPath, [resolve(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], dir)
      } catch (error) {
        assert.fail(String((error as { stdout?: string }).stdout ?? error))
      }
    })
  }
})
