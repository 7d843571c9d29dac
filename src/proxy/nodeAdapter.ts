import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/**
 * Adapts a fetch-standard handler to Node's `http` (and Express). If a body parser already
 * read the body (`req.body`), that is used; otherwise the request stream is passed through.
 * Behind a TLS-terminating reverse proxy the request URL's scheme comes from
 * `X-Forwarded-Proto` (so the Origin check compares like with like).
 */
export function toNodeHandler(handler: (request: Request) => Promise<Response>) {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse): void => {
    void (async () => {
      const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim()
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true || forwarded === 'https'
      const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(name, v))
        else if (value !== undefined) headers.set(name, value)
      }
      const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers }
      if (init.method !== 'GET' && init.method !== 'HEAD') {
        if (req.body !== undefined) {
          const body = req.body
          init.body = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : JSON.stringify(body)
          headers.delete('content-length')
        } else {
          init.body = Readable.toWeb(req) as unknown as ReadableStream
          init.duplex = 'half'
        }
      }
      const response = await handler(new Request(url, init))
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"status":"error","message":"internal error"}')
    })
  }
}
