// The proxy's layout holds its architecture: no import circles, a core that loads in any
// runtime (no `node:` module at run time anywhere; Node's types only in the Node adapter and
// where it is joined), stages that depend downward only, and one folder per backend.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/proxy')
const files = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
})(root)

interface Import {
  from: string
  spec: string
  typeOnly: boolean
}
const importsOf = (file: string): Import[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)].map((m) => ({ from: file, spec: m[2]!, typeOnly: !!m[1] }))
const local = (i: Import) => (i.spec.startsWith('.') ? resolve(dirname(i.from), i.spec.replace(/\.js$/, '.ts')) : undefined)
const stage = (file: string) => relative(root, file).split('/')[0]!

describe('proxy layout', () => {
  it('has no import circles (type imports included)', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).map(local).filter((t): t is string => !!t && t.startsWith(root))]))
    const state = new Map<string, 'open' | 'done'>()
    const circles: string[] = []
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') return void circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' → '))
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    assert.deepEqual(circles, [])
  })

  it('imports no node: module at run time, and Node types only in the Node adapter and its joint', () => {
    const runtime = files.flatMap((f) => importsOf(f).filter((i) => i.spec.startsWith('node:') && !i.typeOnly).map((i) => `${relative(root, f)}: ${i.spec}`))
    assert.deepEqual(runtime, [])
    const typed = files.flatMap((f) => importsOf(f).filter((i) => i.spec.startsWith('node:')).map(() => relative(root, f)))
    assert.deepEqual([...new Set(typed)].sort(), ['createCaliperProxy.ts', 'node/nodeAdapter.ts'])
  })

  it('depends downward only: telemetry, store, backends, upstream, pipeline, HTTP edge, Node adapter', () => {
    const order = ['telemetry', 'store', 'backends', 'upstream', 'pipeline', 'http', 'node', 'otel']
    const upward = files.flatMap((f) =>
      importsOf(f).flatMap((i) => {
        const target = local(i)
        if (!target?.startsWith(root) || !order.includes(stage(f)) || !order.includes(stage(target))) return []
        return order.indexOf(stage(target)) > order.indexOf(stage(f)) && !(stage(f) === 'http' && stage(target) === 'backends')
          ? [`${relative(root, f)} → ${relative(root, target)}`]
          : []
      }),
    )
    assert.deepEqual(upward, [])
  })

  it('keeps each backend in its own folder, importing no other backend', () => {
    const crossing = files.flatMap((f) =>
      stage(f) !== 'backends'
        ? []
        : importsOf(f).flatMap((i) => {
            const target = local(i)
            const mine = relative(root, f).split('/')[1]
            return target && stage(target) === 'backends' && relative(root, target).split('/')[1] !== mine ? [`${relative(root, f)} → ${relative(root, target)}`] : []
          }),
    )
    assert.deepEqual(crossing, [])
  })
})
