import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** Serves files under `root` for the given URL paths; undefined when there is no such file. */
export async function serveFile(root: string, urlPath: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
  const path = normalize(join(root, decodeURIComponent(urlPath)))
  if (!path.startsWith(normalize(root))) return undefined
  try {
    const body = await readFile(path)
    return new Response(body, { headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...headers } })
  } catch {
    return undefined
  }
}
