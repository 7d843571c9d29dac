// What a page's heap holds, by kind, from a V8 heap snapshot taken after a full GC. The used
// size alone mixes three things that grow for different reasons: the page's own JavaScript
// objects (what a leak in the tracker would grow), code V8 compiles as functions get hot (it
// tiers up over the first hours of a simulated day, then stops), and native records the
// browser keeps per request (one `PerformanceResourceTiming` per fetch or beacon, which the
// browser stops adding at its buffer size, 250 in Chromium; and, only while DevTools watches
// the network as Playwright does, DevTools' own copy of each request).
import type { CDPSession } from 'playwright-core'

export interface HeapBreakdown {
  /** JavaScript objects, arrays, closures, strings and numbers (bytes, self sizes). */
  objects: number
  /** Compiled code and its metadata. */
  code: number
  /** The browser's `PerformanceResourceTiming` entries. */
  resourceTimings: number
  /** How many `PerformanceResourceTiming` entries the page holds. */
  resourceTimingCount: number
  /** DevTools' records of requests (absent for real students). */
  devtools: number
  /** Everything else (DOM, object shapes, other native structures). */
  other: number
  /** V8's used heap size (the figure `Runtime.getHeapUsage` gives). */
  used: number
}

export const heapKinds = ['objects', 'code', 'resourceTimings', 'devtools', 'other'] as const

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
  nodes: number[]
  strings: string[]
}

const OBJECT_TYPES = new Set(['object', 'closure', 'array', 'string', 'concatenated string', 'sliced string', 'number', 'regexp', 'bigint'])

export async function heapBreakdown(cdp: CDPSession): Promise<HeapBreakdown> {
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const used = (await cdp.send('Runtime.getHeapUsage')).usedSize
  let text = ''
  const chunk = (event: { chunk: string }) => void (text += event.chunk)
  cdp.on('HeapProfiler.addHeapSnapshotChunk', chunk)
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
  cdp.off('HeapProfiler.addHeapSnapshotChunk', chunk)
  const { snapshot, nodes, strings } = JSON.parse(text) as Snapshot
  const fields = snapshot.meta.node_fields
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number]
  const types = snapshot.meta.node_types[0]
  const sums: HeapBreakdown = { objects: 0, code: 0, resourceTimings: 0, resourceTimingCount: 0, devtools: 0, other: 0, used }
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]!]!
    const name = strings[nodes[i + nameAt]!]!
    const kind: (typeof heapKinds)[number] = OBJECT_TYPES.has(type)
      ? 'objects'
      : type === 'code'
        ? 'code'
        : name === 'PerformanceResourceTiming'
          ? 'resourceTimings'
          : name.startsWith('blink::NetworkResourcesData')
            ? 'devtools'
            : 'other'
    sums[kind] += nodes[i + sizeAt]!
    if (kind === 'resourceTimings') sums.resourceTimingCount++
  }
  return sums
}
