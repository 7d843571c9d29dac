// Tamper-proof, expiring tokens naming a student: `<payload>.<HMAC-SHA256>`, both base64url.
// One format for the session cookie and the embedded page's launch token, told apart by `use`
// so neither can stand in for the other.
import { createHmac, timingSafeEqual } from 'node:crypto'

export type TokenUse = 'session' | 'launch'

interface Payload {
  /** The student's key in the roster. */
  sub: string
  use: TokenUse
  /** Expiry, epoch ms. */
  exp: number
}

const mac = (data: string, secret: string) => createHmac('sha256', secret).update(data).digest('base64url')

export function signToken(sub: string, use: TokenUse, lifetimeMs: number, secret: string, now = Date.now()) {
  const claims: Payload = { sub, use, exp: now + lifetimeMs }
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${payload}.${mac(payload, secret)}`
}

/** The student key the token names, if it is genuine, meant for `use` and not expired. */
export function verifyToken(token: string, use: TokenUse, secret: string, now = Date.now()) {
  const [payload = '', signature = ''] = token.split('.')
  const expected = Buffer.from(mac(payload, secret))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Payload
  return claims.use === use && claims.exp > now ? claims.sub : undefined
}
