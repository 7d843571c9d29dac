// npm start: builds if needed, then serves the QA demo on http://localhost:8080 (PORT to change):
// the demo page, the reference proxy at /api/caliper, and an embedded mock Caliper endpoint.
// With TIMEBACK_CALIPER_URL, TIMEBACK_TOKEN_URL, TIMEBACK_CLIENT_ID and TIMEBACK_CLIENT_SECRET
// set, the same proxy talks to the real platform instead.
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toNodeHandler } from '../src/proxy/index.js'
import { createDemoApp } from './server/demoApp.js'
import { ensureBuilt } from './server/ensureBuilt.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
ensureBuilt(root)

const env = process.env
const real = [env.TIMEBACK_CALIPER_URL, env.TIMEBACK_TOKEN_URL, env.TIMEBACK_CLIENT_ID, env.TIMEBACK_CLIENT_SECRET]
if (real.some(Boolean) && !real.every(Boolean)) {
  console.error('Set all four of TIMEBACK_CALIPER_URL, TIMEBACK_TOKEN_URL, TIMEBACK_CLIENT_ID, TIMEBACK_CLIENT_SECRET (or none, for the embedded mock).')
  process.exit(1)
}
const app = createDemoApp({
  root,
  ...(real.every(Boolean)
    ? { platform: { caliperUrl: env.TIMEBACK_CALIPER_URL!, tokenUrl: env.TIMEBACK_TOKEN_URL!, clientId: env.TIMEBACK_CLIENT_ID!, clientSecret: env.TIMEBACK_CLIENT_SECRET! } }
    : {}),
})

const handler = toNodeHandler(app.handle)
const server = createServer((req, res) => {
  // The "offline" fault: drop the connection, which the browser sees as a network error.
  if (req.url?.startsWith('/api/caliper') && app.fault() === 'offline') return void req.socket.destroy()
  handler(req, res)
})

const port = Number(env.PORT ?? 8080)
server.listen(port, () => {
  const address = server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  console.log(`timeback-tracker demo on http://localhost:${actual}  (Caliper: ${app.mock ? 'embedded mock' : env.TIMEBACK_CALIPER_URL})`)
})
