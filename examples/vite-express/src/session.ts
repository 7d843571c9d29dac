// The browser's side of the server's session routes (server/app.ts). Signed in, the student
// rides in an HTTP-only cookie the page never reads; embedded (a launch token), in a header.
export interface Student {
  id: string
  email: string
  name: string
}

/** Who the server says is signed in: by the session cookie, or by the launch token if given. */
export async function fetchStudent(launchToken?: string): Promise<Student | null> {
  const response = await fetch('/api/session', {
    headers: launchToken ? { authorization: `Bearer ${launchToken}` } : {},
  })
  if (!response.ok) throw new Error(`GET /api/session: ${response.status}`)
  return ((await response.json()) as { student: Student | null }).student
}

/** Who can sign in (the server's roster). */
export interface RosterEntry {
  key: string
  name: string
}

export async function fetchRoster(): Promise<RosterEntry[]> {
  const response = await fetch('/api/roster')
  if (!response.ok) throw new Error(`GET /api/roster: ${response.status}`)
  return (await response.json()) as RosterEntry[]
}

export async function signIn(studentKey: string): Promise<Student> {
  const response = await fetch('/api/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ student: studentKey }),
  })
  const body = (await response.json()) as { student: Student } | { error: string }
  if ('error' in body) throw new Error(body.error)
  return body.student
}

export async function signOut(): Promise<void> {
  await fetch('/api/sign-out', { method: 'POST' })
}

/**
 * The launch token of an embedded page (`/embedded#launch=…`, where the server's launch route
 * sends the frame). In the fragment, it never reaches a server log or a Referer header.
 */
export function launchTokenFromUrl(): string | undefined {
  if (location.pathname !== '/embedded') return undefined
  return new URLSearchParams(location.hash.slice(1)).get('launch') ?? undefined
}
