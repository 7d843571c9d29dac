// The students who can sign in. A real app has them in its database, with their OneRoster user
// URL and email, which every event's actor must match.
export interface Student {
  id: string
  email: string
  name: string
}

export const roster: Record<string, Student> = {
  ada: { id: 'https://example.org/oneroster/users/ada', email: 'ada@example.org', name: 'Ada Lovelace' },
  grace: { id: 'https://example.org/oneroster/users/grace', email: 'grace@example.org', name: 'Grace Hopper' },
}

export function studentByKey(key: unknown): Student | undefined {
  return typeof key === 'string' && Object.hasOwn(roster, key) ? roster[key] : undefined
}
