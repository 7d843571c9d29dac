import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

// A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing that could carry
// a path, credentials or a second host into the URL.
const HOST = /^([a-z0-9-]+(\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(:\d{1,5})?$/i

type NodeRequest = IncomingMessage & { body?: unknown }

/**
 * The request's URL: scheme (from the socket, or `X-Forwarded-Proto` behind a TLS-terminating
 * reverse proxy) and host from the `Host` header, and the path appended as a path, never parsed
 * as a URL of its own: `//evil.example/x` must not become the request's origin.
 */
function requestUrl(req: NodeRequest): URL | undefined {
  const host = req.headers.host ?? 'localhost'
  if (!HOST.test(host)) return undefined
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim()
  const secure = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true || forwarded === 'https'
  const path = req.url ?? '/'
  return new URL(`${secure ? 'https' : 'http'}://${host}${path.startsWith('/') ? path : `/${path}`}`)
}

/**
 * The body to hand on. The raw stream when nobody has read it, even if a body parser left a
 * `req.body` (Express 4's global `express.json()` sets `{}` for the `text/plain` of beacons);
 * what a parser made of it otherwise (`express.text()`, `express.raw()`, `express.json()`).
 */
function requestBody(req: NodeRequest): ReadableStream | string | undefined {
  if (!req.readableEnded) return Readable.toWeb(req) as unknown as ReadableStream
  const body = req.body
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  if (typeof body === 'object' && body !== null) return JSON.stringify(body)
  return undefined
}

/**
 * Adapts a fetch-standard handler to Node's `http` (and Express 4/5 with or without body
 * parsers). A `Host` header that is not a host is a 400.
 */
export function toNodeHandler(handler: (request: Request) => Promise<Response>) {
  return (req: NodeRequest, res: ServerResponse): void => {
    void (async () => {
      const url = requestUrl(req)
      if (!url) {
        res.writeHead(400, { 'content-type': 'application/json' })
        return void res.end('{"status":"error","message":"invalid Host header"}')
      }
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(name, v))
        else if (value !== undefined) headers.set(name, value)
      }
      const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers }
      if (init.method !== 'GET' && init.method !== 'HEAD') {
        const body = requestBody(req)
        if (body === undefined) {
          res.writeHead(500, { 'content-type': 'application/json' })
          const message = 'another middleware consumed the body: mount the proxy before body parsers'
          return void res.end(JSON.stringify({ status: 'error', message }))
        }
        if (body instanceof ReadableStream) init.duplex = 'half'
        else headers.delete('content-length')
        init.body = body
      }
      const response = await handler(new Request(url, init))
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })().catch(() => {
      // The client went away (or wrote an unusable request) before its answer: nobody to tell.
      if (res.destroyed) return
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"status":"error","message":"internal error"}')
    })
  }
}
