// Settings from the environment, with defaults for a local run. Without the four TIMEBACK_*
// variables the proxy talks to a mock Caliper platform in this process (see mockPlatform.ts).
import { randomBytes } from 'node:crypto'

export interface PlatformSettings {
  caliperUrl: string
  tokenUrl: string
  clientId: string
  clientSecret: string
}

export interface Config {
  port: number
  databaseUrl: string
  /** Signs session cookies and launch tokens. */
  sessionSecret: string
  /** The real Timeback platform; undefined for the mock. */
  platform: PlatformSettings | undefined
  /** Serve sessions only over HTTPS (behind TLS in production). */
  secureCookies: boolean
}

const PLATFORM_VARS = [
  'TIMEBACK_CALIPER_URL',
  'TIMEBACK_TOKEN_URL',
  'TIMEBACK_CLIENT_ID',
  'TIMEBACK_CLIENT_SECRET',
] as const

/** Reads the settings; throws one error naming every bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: "${env.PORT}" is not a port number`)
  const given = PLATFORM_VARS.filter((name) => env[name])
  if (given.length && given.length < PLATFORM_VARS.length) {
    const missing = PLATFORM_VARS.filter((name) => !env[name])
    const why = 'set all four TIMEBACK_* variables for the real platform, or none for the mock'
    problems.push(`${missing.join(', ')}: not set (${why})`)
  }
  const production = env.NODE_ENV === 'production'
  if (production && !env.SESSION_SECRET) problems.push('SESSION_SECRET: not set (required when NODE_ENV=production)')
  if (problems.length) throw new Error(`Configuration:\n  ${problems.join('\n  ')}`)
  return {
    port,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres',
    // Locally, a fresh secret per start: everyone signs in again after a restart.
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    platform: given.length
      ? {
          caliperUrl: env.TIMEBACK_CALIPER_URL!,
          tokenUrl: env.TIMEBACK_TOKEN_URL!,
          clientId: env.TIMEBACK_CLIENT_ID!,
          clientSecret: env.TIMEBACK_CLIENT_SECRET!,
        }
      : undefined,
    secureCookies: production,
  }
}
