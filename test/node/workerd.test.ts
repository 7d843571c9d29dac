// The proxy in workerd (Cloudflare Workers' runtime, through miniflare), with and without
// `nodejs_compat`: the built `dist/proxy` entry, bundled as Wrangler would bundle a Worker
// (esbuild, Node's built-ins left out), loads, and a proxy created inside the handler forwards to
// the fake platform (workerd's outbound fetch is routed to it). Needs `npm run build` (npm test
// does).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { build } from 'esbuild'
import { Miniflare, Response as WorkerdResponse, type Request as WorkerdRequest } from 'miniflare'
import { CLIENT_ID, CLIENT_SECRET, TOKEN_URL, CALIPER_URL, completed, createFakePlatform, envelope, student, timeSpent } from './fakePlatform.js'

const PROXY_ENTRY = 'dist/proxy/index.js'

/** A Worker whose handler creates the proxy for each request, from its bindings. */
const WORKER = `
import { createCaliperProxy } from './${PROXY_ENTRY}'
export default {
  async fetch(request, env) {
    const proxy = createCaliperProxy({
      caliperUrl: env.CALIPER_URL, tokenUrl: env.TOKEN_URL, clientId: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET,
      authorize: () => env.STUDENT,
      logger: { info() {}, warn() {}, error: (m) => console.error(m) },
    })
    return proxy(request)
  },
}`

/** The Worker as one module: dependencies bundled in, `node:` modules left for the runtime to provide (or not). */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['node:*'],
    write: false,
    logLevel: 'error',
  })
  return result.outputFiles[0]!.text
}

const running: Miniflare[] = []
after(() => Promise.all(running.map((mf) => mf.dispose())))

/** workerd running `script`, its outbound fetches answered by a new fake platform. */
async function workerd(script: string, compatibilityFlags: string[]) {
  const platform = createFakePlatform()
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
    compatibilityDate: '2025-07-18',
    compatibilityFlags,
    bindings: { CALIPER_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, STUDENT: student },
    outboundService: async (request: WorkerdRequest) => {
      const answer = await platform.fetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      })
      return new WorkerdResponse(await answer.text(), { status: answer.status, headers: Object.fromEntries(answer.headers) })
    },
  })
  try {
    await mf.ready
  } catch (error) {
    await mf.dispose().catch(() => {})
    throw error
  }
  running.push(mf)
  return { mf, platform }
}

const ORIGIN = 'https://app.example'
const postTo = (mf: Miniflare, body: unknown) =>
  mf.dispatchFetch(`${ORIGIN}/api/caliper`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify(body) })

describe('the proxy in workerd', () => {
  it("the proxy's ESM build imports no node: module (none left by bundling either)", () => {
    const entries = readdirSync('dist/proxy').filter((name) => name.endsWith('.js'))
    assert.ok(entries.includes('index.js'))
    for (const name of entries) {
      const code = readFileSync(`dist/proxy/${name}`, 'utf8')
      assert.deepEqual(code.match(/(from|import)\s*\(?\s*['"]node:[^'"]+['"]/g), null, name)
      assert.doesNotMatch(code, /\brequire\(/, name)
    }
  })

  for (const flags of [[], ['nodejs_compat']]) {
    const name = flags.length ? 'with nodejs_compat' : 'without nodejs_compat'
    it(`${name}: loads, and a proxy created in the handler forwards, and refuses what it must`, async () => {
      const { mf, platform } = await workerd(await bundle(WORKER), flags)
      const events = [timeSpent(), completed()]
      const first = await postTo(mf, envelope(events))
      assert.equal(first.status, 200, await first.clone().text())
      const body = (await first.json()) as { accepted: string[]; rejected: unknown[]; serverTime: number }
      assert.deepEqual(body.accepted, events.map((e) => e.id))
      assert.deepEqual(body.rejected, [])
      assert.equal(typeof body.serverTime, 'number')
      assert.deepEqual(platform.storedIds(), events.map((e) => e.id))
      assert.equal(platform.tokenRequests, 1)
      const bad = { ...completed(), profile: 'nope' }
      const second = (await (await postTo(mf, envelope([bad]))).json()) as { rejected: Array<{ id: string }> }
      assert.deepEqual(second.rejected.map((r) => r.id), [bad.id])
      const crossSite = await mf.dispatchFetch(`${ORIGIN}/api/caliper`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify(envelope([completed()])),
      })
      assert.equal(crossSite.status, 403)
      await crossSite.arrayBuffer()
    })
  }

  it('the check can fail: a Worker importing a node: module does not load without nodejs_compat', async () => {
    // workerd prints why on its own output: 'No such module "node:buffer"'.
    const script = await bundle(`import { Buffer } from 'node:buffer'\nexport default { fetch: () => new Response(Buffer.from('x').toString()) }`)
    await assert.rejects(workerd(script, []), /failed to start/)
    const { mf } = await workerd(script, ['nodejs_compat'])
    assert.equal(await (await mf.dispatchFetch('https://app.example/')).text(), 'x')
  })
})
