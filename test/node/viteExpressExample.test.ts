// The Vite + Express example's own server rules (examples/vite-express/server), beside its
// end-to-end test: who a request's credentials name, and settings refused with every bad
// variable named.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readConfig } from '../../examples/vite-express/server/config.js'
import { createSessions, SESSION_COOKIE } from '../../examples/vite-express/server/sessions.js'
import { signToken, verifyToken } from '../../examples/vite-express/server/signedToken.js'

const SECRET = 'test-secret'

describe('the example: session cookies and launch tokens', () => {
  const sessions = createSessions(SECRET)

  it('names the student of a session cookie, or of a launch token in the Authorization header', () => {
    const cookie = `theme=dark; ${SESSION_COOKIE}=${sessions.sessionCookie('ada')}`
    assert.equal(sessions.studentOf({ cookie })?.name, 'Ada Lovelace')
    const authorization = `Bearer ${sessions.launchToken('grace')}`
    assert.equal(sessions.studentOf({ authorization, cookie })?.name, 'Grace Hopper', 'the token wins')
    assert.equal(sessions.studentOf({}), null)
  })

  it('refuses a tampered, expired, foreign or misused token', () => {
    const token = signToken('ada', 'session', 60_000, SECRET, 1_000)
    assert.equal(verifyToken(token, 'session', SECRET, 2_000), 'ada')
    assert.equal(verifyToken(token, 'session', SECRET, 61_000), undefined, 'expired')
    assert.equal(verifyToken(token, 'launch', SECRET, 2_000), undefined, 'a session is no launch token')
    assert.equal(verifyToken(token, 'session', 'another secret', 2_000), undefined, 'signed elsewhere')
    const [, signature] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ sub: 'grace', use: 'session', exp: 61_000 })).toString('base64url')
    assert.equal(verifyToken(`${forged}.${signature}`, 'session', SECRET, 2_000), undefined, 'payload swapped')
    assert.equal(verifyToken('garbage', 'session', SECRET), undefined)
    const cookie = `${SESSION_COOKIE}=${sessions.launchToken('ada')}`
    assert.equal(sessions.studentOf({ cookie }), null, 'a launch token is no session cookie')
    const unknown = `Bearer ${sessions.launchToken('mallory')}`
    assert.equal(sessions.studentOf({ authorization: unknown }), null, 'not on the roster')
  })
})

describe('the example: settings', () => {
  it('has local defaults: port 3000, a local PostgreSQL, the mock platform', () => {
    const config = readConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.databaseUrl, 'postgres://postgres@localhost:5432/postgres')
    assert.equal(config.platform, undefined)
    assert.equal(config.secureCookies, false)
  })

  it('names every bad variable in one error', () => {
    assert.throws(
      () => readConfig({ PORT: 'eighty', TIMEBACK_CLIENT_ID: 'id', NODE_ENV: 'production' }),
      (error: Error) => {
        assert.match(error.message, /PORT: "eighty" is not a port number/)
        assert.match(error.message, /TIMEBACK_CALIPER_URL, TIMEBACK_TOKEN_URL, TIMEBACK_CLIENT_SECRET: not set/)
        assert.match(error.message, /SESSION_SECRET: not set \(required when NODE_ENV=production\)/)
        return true
      },
    )
  })

  it('takes the real platform when all four TIMEBACK_* variables are set', () => {
    const config = readConfig({
      TIMEBACK_CALIPER_URL: 'https://caliper.example',
      TIMEBACK_TOKEN_URL: 'https://idp.example/token',
      TIMEBACK_CLIENT_ID: 'id',
      TIMEBACK_CLIENT_SECRET: 'secret',
      SESSION_SECRET: 's',
      NODE_ENV: 'production',
    })
    assert.equal(config.platform?.caliperUrl, 'https://caliper.example')
    assert.equal(config.sessionSecret, 's')
    assert.equal(config.secureCookies, true)
  })
})
