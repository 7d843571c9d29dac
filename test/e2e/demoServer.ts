// Starts `npm start`'s server (the same entry point) on a free port for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export async function startDemoServer(): Promise<{ base: string; stop: () => void; output: () => string }> {
  const port = await freePort()
  let output = ''
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'demo/server.ts'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const base = `http://localhost:${port}`
  const deadline = Date.now() + 120_000
  while (!output.includes(`localhost:${port}`)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`demo server did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { base, stop: () => child.kill(), output: () => output }
}
