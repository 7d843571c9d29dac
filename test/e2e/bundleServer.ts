// A small server for end-to-end tests that need no proxy: the built script-tag bundle at
// `/tracker.js`, envelopes POSTed under `/collect` acknowledged in the proxy protocol's shape
// (every event accepted), and any other path answered with the HTML `page(url)` returns.
// Needs the built bundle (`npm test` builds it first).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BundleServer {
  base: string
  close(): void
}

export async function startBundleServer(options: {
  /** The events of each envelope, with the path they were sent to (`/collect…`). */
  onEvents(events: Array<{ id: string }>, url: URL): void
  /** The HTML for a page request. */
  page(url: URL): string
}): Promise<BundleServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/collect')) {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        const events = (JSON.parse(body) as { data: Array<{ id: string }> }).data
        options.onEvents(events, url)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: 'success', accepted: events.map((e) => e.id), duplicates: [], rejected: [] }))
      })
      return
    }
    const script = url.pathname === '/tracker.js'
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' })
    res.end(script ? readFileSync('dist/timeback-tracker.iife.min.js') : options.page(url))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}
