// The Express app: the built single-page app, sign-in with a session cookie, a stand-in for an
// LTI launch that embeds the lesson in another site, and the reference proxy at /api/caliper on
// the PostgreSQL ledger (each event is forwarded once, whichever instance or tab sends it).
import express from 'express'
import { fileURLToPath } from 'node:url'
import { createCaliperProxy, createPostgresLedger, toNodeHandler, type PostgresQueryable } from 'timeback-tracker/proxy'
import type { Config } from './config.js'
import type { MockPlatform } from './mockPlatform.js'
import { roster, studentByKey } from './roster.js'
import { createSessions, SESSION_COOKIE, SESSION_LIFETIME_MS } from './sessions.js'

export interface AppOptions {
  config: Config
  /** A `pg` Pool. */
  pool: PostgresQueryable
  /** Required when `config.platform` is undefined. */
  mock?: MockPlatform | undefined
}

const dist = fileURLToPath(new URL('../dist', import.meta.url))

/** The other name of this machine: a frame on it is on another site (localhost ⇄ 127.0.0.1). */
const otherHost = (host: string) =>
  host.startsWith('localhost') ? host.replace('localhost', '127.0.0.1') : host.replace('127.0.0.1', 'localhost')

export function createApp({ config, pool, mock }: AppOptions): express.Express {
  const upstream = config.platform ?? mock?.upstream
  if (!upstream) throw new TypeError('createApp: mock: required without config.platform')
  const sessions = createSessions(config.sessionSecret)
  const proxy = createCaliperProxy({
    ...upstream,
    authorize: (request) => {
      const { headers } = request
      const student = sessions.studentOf({ authorization: headers.get('authorization'), cookie: headers.get('cookie') })
      // null: 401, and the tracker keeps its events for when someone is signed in again
      return student && { id: student.id, email: student.email }
    },
    ledger: createPostgresLedger(pool),
  })

  const app = express()
  app.disable('x-powered-by')
  app.post('/api/caliper', proxy.node)

  app.get('/api/roster', (_req, res) => {
    res.json(Object.entries(roster).map(([key, student]) => ({ key, name: student.name })))
  })
  app.get('/api/session', (req, res) => {
    const student = sessions.studentOf({ authorization: req.get('authorization'), cookie: req.get('cookie') })
    res.json({ student }) // null: nobody signed in
  })
  // A real app checks a password or an identity provider here.
  app.post('/api/sign-in', express.json(), (req, res) => {
    const key: unknown = req.body?.student
    const student = studentByKey(key)
    if (!student) return void res.status(400).json({ error: `student: ${JSON.stringify(key)} is not on the roster` })
    res.cookie(SESSION_COOKIE, sessions.sessionCookie(key as string), {
      httpOnly: true, // out of reach of scripts on the page
      sameSite: 'lax', // not sent with another site's POSTs (the proxy checks Origin too)
      secure: config.secureCookies,
      maxAge: SESSION_LIFETIME_MS,
      path: '/',
    })
    res.json({ student })
  })
  app.post('/api/sign-out', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' })
    res.status(204).end()
  })

  // Stands in for an LTI launch: a real one is the LMS's signed POST, verified before this.
  // The frame gets a short-lived token naming the student, in the fragment (never logged).
  app.get('/lti/launch', (req, res) => {
    const key = req.query.student
    if (!studentByKey(key)) {
      return void res.status(400).type('text').send(`student: ${JSON.stringify(key)} is not on the roster`)
    }
    res.redirect(303, `/embedded#launch=${sessions.launchToken(key as string)}`)
  })
  // Stands in for the LMS: a course page on the other host name frames the launch.
  app.get('/lms', (req, res) => {
    const host = req.get('host') ?? ''
    // Written into the page: a host name and port, nothing that could carry markup.
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(host)) return void res.status(400).type('text').send('bad Host')
    const launch = `${req.protocol}://${otherHost(host)}/lti/launch?student=grace`
    res.type('html').send(`<!doctype html><link rel="icon" href="/favicon.svg">
<title>A course on another site</title><h1>A course on another site</h1>
<iframe src="${launch}" title="Fractions warm-up" width="640" height="520"></iframe>`)
  })

  if (mock) app.all('/mock-caliper/*path', toNodeHandler(mock.handle))

  app.use(express.static(dist, { index: false }))
  app.get(['/', '/embedded'], (_req, res) => res.sendFile('index.html', { root: dist }))
  return app
}
