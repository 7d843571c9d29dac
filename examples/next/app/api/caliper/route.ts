// The reference proxy as a Next.js route handler: POST /api/caliper. It holds the OAuth2 client
// secret (from the environment, server-side only) and forwards events to the Caliper API.
import { createCaliperProxy, type CaliperProxy } from 'timeback-tracker/proxy'
import { student } from '../../student'

function env(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set (see examples/next/README.md)`)
  return value
}

// Created on the first request, not at build time, when the environment is not there yet.
let proxy: CaliperProxy | undefined

export function POST(request: Request): Promise<Response> {
  proxy ??= createCaliperProxy({
    caliperUrl: env('TIMEBACK_CALIPER_URL'),
    tokenUrl: env('TIMEBACK_TOKEN_URL'),
    clientId: env('TIMEBACK_CLIENT_ID'),
    clientSecret: env('TIMEBACK_CLIENT_SECRET'),
    // Your session lookup goes here; the example has one student.
    authorize: () => student,
  })
  return proxy(request)
}
