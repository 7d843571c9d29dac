// Who is signed in. In the app, a signed HTTP-only cookie set at sign-in; in a frame on another
// site, where that cookie is not sent, a launch token in the Authorization header. The proxy's
// `authorize` and the app's own routes ask the same question here.
import { studentByKey, type Student } from './roster.js'
import { signToken, verifyToken } from './signedToken.js'

export const SESSION_COOKIE = 'session'
export const SESSION_LIFETIME_MS = 8 * 3_600_000
/** Long enough for one lesson; the host site launches again for the next. */
export const LAUNCH_LIFETIME_MS = 3_600_000

export interface Credentials {
  authorization?: string | null | undefined
  cookie?: string | null | undefined
}

export function createSessions(secret: string) {
  return {
    sessionCookie: (studentKey: string) => signToken(studentKey, 'session', SESSION_LIFETIME_MS, secret),
    launchToken: (studentKey: string) => signToken(studentKey, 'launch', LAUNCH_LIFETIME_MS, secret),
    /** The student behind a request's launch token, else its session cookie; null if neither. */
    studentOf({ authorization, cookie }: Credentials): Student | null {
      const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
      if (bearer) return studentByKey(verifyToken(bearer, 'launch', secret)) ?? null
      const session = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookie ?? '')?.[1]
      return (session && studentByKey(verifyToken(session, 'session', secret))) || null
    },
  }
}
