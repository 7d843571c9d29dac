// The proxy over real HTTP: Node's http, Express 4 and 5 (mounted as docs/proxy.md shows), Hono.
import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { afterEach, describe, it } from 'node:test'
import { serve } from '@hono/node-server'
import express5 from 'express'
import express4 from 'express4'
import { Hono } from 'hono'
import type { CaliperProxy } from '../../src/proxy/index.js'
import { completed, envelope, timeSpent } from './fakePlatform.js'
import { setupProxy } from './support/proxySetup.js'

let servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  servers = []
})

async function listen(server: Server): Promise<string> {
  servers.push(server)
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A request exactly as written: fetch would normalise the path and the Host header. */
function raw(base: string, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method: 'POST', path, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode!, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const beacon = (base: string, body: unknown) =>
  fetch(`${base}/api/caliper`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: base }, body: JSON.stringify(body) })
const jsonPost = (base: string, body: unknown) =>
  fetch(`${base}/api/caliper`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify(body) })
const accepted = async (response: Response) => {
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { accepted: string[] }).accepted
}
/** A beacon (text/plain) and a JSON post, each with an event of its own, are both accepted. */
const beaconAndJsonAccepted = async (base: string) => {
  const a = completed()
  const b = timeSpent()
  assert.deepEqual(await accepted(await beacon(base, envelope([a]))), [a.id])
  assert.deepEqual(await accepted(await jsonPost(base, envelope([b]))), [b.id])
}

describe('Node http adapter', () => {
  it('1. the own origin comes from Host, never from the path: //evil.example is refused', async () => {
    const { proxy, platform } = setupProxy()
    const base = await listen(createServer(proxy.node))
    const body = JSON.stringify(envelope([timeSpent()]))
    for (const path of ['//evil.example/api/caliper', '/\\evil.example/api/caliper']) {
      const response = await raw(base, path, { 'content-type': 'text/plain', origin: 'http://evil.example' }, body)
      assert.equal(response.status, 403, `${path}: ${response.body}`)
    }
    assert.equal(platform.calls, 0)
  })

  it('11. a Host header that is not a host is a 400, not a 500', async () => {
    const { proxy } = setupProxy()
    const base = await listen(createServer(proxy.node))
    for (const host of ['app.example@evil.example', 'app.example/x', 'a b']) {
      const response = await raw(base, '/api/caliper', { host, 'content-type': 'application/json' }, '{}')
      assert.equal(response.status, 400, host)
    }
  })

  it('11. a client that goes away mid-body is not logged as an internal error', async () => {
    const { proxy, logs } = setupProxy()
    const base = await listen(createServer(proxy.node))
    const { port } = new URL(base)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(`POST /api/caliper HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"sensor":`)
    await new Promise((resolve) => setTimeout(resolve, 50)) // let the proxy start reading the body
    socket.destroy()
    for (let i = 0; i < 1000 && !logs.length; i++) await new Promise((r) => setTimeout(r, 5))
    assert.ok(logs.length, 'the proxy noticed')
    assert.ok(!logs.some((l) => /internal error/.test(l)), logs.join('\n'))
    assert.ok(logs.some((l) => /went away/.test(l)), logs.join('\n'))
  })

  it('a body over the limit without Content-Length (chunked) is a 413, counted while it streams; the server goes on', async () => {
    const { proxy } = setupProxy({ maxBodyBytes: 10_000 })
    const base = await listen(createServer(proxy.node))
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/caliper`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1000)) // 20 KB, no Content-Length
      req.end()
    })
    assert.equal(status, 413)
    await accepted(await jsonPost(base, envelope([timeSpent()])))
  })

  /** Sends headers announcing a body, and never the body: the answer must not wait for it. */
  const headersOnly = (base: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/caliper`, { method: 'POST', headers: { 'content-length': '4000', ...headers } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
        req.destroy()
      })
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)))
      req.flushHeaders()
    })

  it('a refused request (not signed in, cross-site, wrong type) is answered without its body being read', async () => {
    const { proxy } = setupProxy({ authorize: (request) => (request.headers.get('cookie') ? { id: 'https://sis.example/users/123', email: 'student@example.com' } : null) })
    const base = await listen(createServer(proxy.node))
    const json = { 'content-type': 'application/json' }
    assert.equal(await headersOnly(base, { ...json, origin: base }), 401)
    assert.equal(await headersOnly(base, { ...json, origin: 'https://evil.example', cookie: 's=1' }), 403)
    assert.equal(await headersOnly(base, { 'content-type': 'text/html', origin: base, cookie: 's=1' }), 415)
  })

  it('a request a middleware paused is read all the same; a body with a byte-order mark is JSON', async () => {
    const { proxy } = setupProxy()
    const base = await listen(
      createServer((req, res) => {
        req.pause()
        setTimeout(() => proxy.node(req, res), 10)
      }),
    )
    const bodyWithMark = `\uFEFF${JSON.stringify(envelope([timeSpent()]))}`
    const { status, body } = await raw(base, '/api/caliper', { 'content-type': 'application/json', origin: base }, bodyWithMark)
    assert.equal(status, 200, body)
    assert.equal(JSON.parse(body).accepted.length, 1)
  })
})

describe('frameworks, mounted as docs/proxy.md shows', () => {
  it('10. Express 4 with a global express.json(): beacons (text/plain) and JSON both go through', async () => {
    const { proxy } = setupProxy()
    const app = express4()
    app.use(express4.json())
    app.post('/api/caliper', proxy.node)
    await beaconAndJsonAccepted(await listen(createServer(app)))
  })

  it('Express 5 with a global express.json(): beacons and JSON both go through', async () => {
    const { proxy } = setupProxy()
    const app = express5()
    app.use(express5.json())
    app.post('/api/caliper', proxy.node)
    await beaconAndJsonAccepted(await listen(createServer(app)))
  })

  it('Hono on @hono/node-server: the fetch-standard handler as it is', async () => {
    const { proxy } = setupProxy()
    const app = new Hono()
    app.post('/api/caliper', (c) => (proxy as CaliperProxy)(c.req.raw))
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server))
    })
    const base = await listen(server)
    const a = completed()
    assert.deepEqual(await accepted(await beacon(base, envelope([a]))), [a.id])
  })
})
