// The ESM build is tree-shakable: an app importing only the event builders (say, on a server
// or in a worker) gets no IndexedDB, DOM or delivery code. Needs `npm run build` (npm test does).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { build } from 'esbuild'

async function bundle(contents: string): Promise<string> {
  const result = await build({ stdin: { contents, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: false, format: 'esm', write: false, logLevel: 'error' })
  return result.outputFiles[0]!.text
}

describe('tree-shaking of the ESM build', () => {
  it('importing only the event builders pulls in no IndexedDB, DOM or delivery code', async () => {
    const code = await bundle(`export { buildTimeSpentEvent, buildActivityEvent, buildEnvelope } from './dist/esm/index.js'`)
    for (const marker of ['indexedDB', 'addEventListener', 'sendBeacon', 'navigator', 'idb-keyval', 'visibilityState']) {
      assert.ok(!code.includes(marker), `found ${marker}`)
    }
    assert.ok(code.includes('TimeSpentEvent'))
  })

  it('timeback-tracker/frame, for pages inside cross-origin iframes, carries no tracker code', async () => {
    const code = await bundle(`export * from './dist/esm/frame.js'`)
    for (const marker of ['indexedDB', 'sendBeacon', 'visibilityState', 'TimeSpentEvent', '_zod']) assert.ok(!code.includes(marker), `found ${marker}`)
    assert.ok(code.includes('postMessage'))
  })

  it('the full tracker does include them (the check above can fail)', async () => {
    const code = await bundle(`export { createTracker } from './dist/esm/index.js'`)
    for (const marker of ['indexedDB', 'addEventListener', 'sendBeacon']) assert.ok(code.includes(marker), `missing ${marker}`)
  })
})
