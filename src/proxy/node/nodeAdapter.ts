// Node's types only: nothing here is imported from `node:` at run time, so the proxy's one entry
// loads in runtimes without Node's modules (workerd without `nodejs_compat`, Deno, Bun).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ProxyAnswerOf } from '../http/jsonAnswers.js'
import { BodyTooLargeError, ClientGoneError } from '../http/readLimitedBody.js'

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

/** A web stream over Node's request stream, pausing it while the stream's reader is behind. */
function streamOf(req: NodeRequest): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk))
        if ((controller.desiredSize ?? 1) <= 0) req.pause()
      })
      req.on('end', () => controller.close())
      req.on('error', (error) => controller.error(error))
    },
    pull: () => void req.resume(),
    cancel: () => void req.pause(),
  })
}

/**
 * The body to hand on. The raw stream when nobody has read it, even if a body parser left a
 * `req.body` (Express 4's global `express.json()` sets `{}` for the `text/plain` of beacons);
 * what a parser made of it otherwise (`express.text()`, `express.raw()`, `express.json()`).
 */
function requestBody(req: NodeRequest): ReadableStream | string | undefined {
  if (!req.readableEnded) return streamOf(req)
  const body = req.body
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  if (typeof body === 'object' && body !== null) return JSON.stringify(body)
  return undefined
}

/**
 * Reads the body from Node's own stream, at most `maxBytes` (a web stream over it costs more than
 * the rest of a small request). Too large or cut short: the error the handler would have met.
 */
function readNodeBody(req: NodeRequest, res: ServerResponse, maxBytes: number): Promise<string | Error> {
  const tooLarge = () => {
    res.setHeader('connection', 'close') // the rest of the body is not read
    return new BodyTooLargeError(`body over ${maxBytes} bytes`)
  }
  if (Number(req.headers['content-length']) > maxBytes) return Promise.resolve(tooLarge())
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (result: string | Error) => {
      req.off('data', data).off('end', end).off('error', gone).off('close', gone)
      resolve(result)
    }
    const data = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      req.pause()
      done(tooLarge())
    }
    // TextDecoder, as the web-stream path: it drops a byte-order mark that JSON.parse refuses.
    const end = () => done(new TextDecoder().decode(Buffer.concat(chunks)))
    const gone = () => done(new ClientGoneError('the client went away before its body arrived'))
    req.on('data', data).on('end', end).on('error', gone).on('close', gone)
    req.resume() // a middleware may have paused it; listening alone does not restart it
  })
}

/**
 * The request's body, read from Node's stream only when someone asks for it: the handler's
 * `readBody` (after its origin and sign-in checks, and not for a student it is holding to a
 * `Retry-After`, so a refused request is answered without its body being read), or whoever reads
 * `request.body` (same read, shared).
 */
function lazyBody(req: NodeRequest, res: ServerResponse, maxBytes: number) {
  let read: Promise<string | Error> | undefined
  const text = () => (read ??= readNodeBody(req, res, maxBytes))
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const body = await text()
      if (body instanceof Error) return controller.error(body)
      controller.enqueue(new TextEncoder().encode(body))
      controller.close()
    },
  })
  return { text, stream }
}

/**
 * A `Response`'s headers for `writeHead`. Set-Cookie as a list: it is the one header that cannot
 * be joined into one line, and a plain object of the entries would keep only the last cookie.
 */
function headersOf(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.fromEntries(response.headers)
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  return headers
}

export interface NodeHandlerOptions {
  /**
   * Read the body from Node's stream when the handler asks (its second argument, `readBody`),
   * refusing one over this many bytes (a `BodyTooLargeError`), instead of through a web stream.
   */
  maxBodyBytes?: number
}

/**
 * A fetch-standard handler, optionally taking the adapter's own body reader and answering with a
 * plain answer the adapter writes as it is (the proxy's own handler does both).
 */
export type NodeServable = (request: Request, readBody?: () => Promise<string>) => Promise<ProxyAnswerOf>

/**
 * Adapts a fetch-standard handler to Node's `http` (and Express 4/5 with or without body
 * parsers). A `Host` header that is not a host is a 400.
 */
export function toNodeHandler(handler: NodeServable, options: NodeHandlerOptions = {}) {
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
      let lazy: ReturnType<typeof lazyBody> | undefined
      if (init.method !== 'GET' && init.method !== 'HEAD' && options.maxBodyBytes !== undefined && !req.readableEnded) {
        lazy = lazyBody(req, res, options.maxBodyBytes)
        init.body = lazy.stream
        init.duplex = 'half'
      } else if (init.method !== 'GET' && init.method !== 'HEAD') {
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
      const request = new Request(url, init)
      const readBody = lazy?.text
      const response = await handler(request, readBody && (async () => {
        const body = await readBody()
        if (body instanceof Error) throw body
        return body
      }))
      if (!(response instanceof Response)) {
        res.writeHead(response.status, response.headers)
        return void res.end(response.body)
      }
      res.writeHead(response.status, headersOf(response))
      res.end(Buffer.from(await response.arrayBuffer()))
    })().catch(() => {
      // The client went away (or wrote an unusable request) before its answer: nobody to tell.
      if (res.destroyed) return
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"status":"error","message":"internal error"}')
    })
  }
}
