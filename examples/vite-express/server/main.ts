// npm start: the example on http://localhost:3000 (see README.md for the settings).
import pg from 'pg'
import { readConfig, type Config } from './config.js'
import { createApp } from './app.js'
import { createMockPlatform } from './mockPlatform.js'

let config: Config
try {
  config = readConfig()
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}

const pool = new pg.Pool({ connectionString: config.databaseUrl })
// An idle connection dropped by the server (a restart, a failover) is an 'error' on the pool,
// which would end the process if nobody listened; the pool reconnects on the next query.
pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`))
const database = new URL(config.databaseUrl)
const where = `${database.host}${database.pathname}`
try {
  await pool.query('SELECT 1')
} catch (error) {
  console.error(`Cannot reach PostgreSQL at ${where} (DATABASE_URL): ${(error as Error).message}`)
  process.exit(1)
}

const mock = config.platform ? undefined : await createMockPlatform()
const server = createApp({ config, pool, mock }).listen(config.port, () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const caliper = config.platform?.caliperUrl ?? `the mock platform, http://localhost:${port}/mock-caliper/received`
  console.log(`Vite + Express example on http://localhost:${port}`)
  console.log(`  Caliper: ${caliper}\n  ledger: PostgreSQL ${where}`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void pool.end()
  })
}
