import type { TrackerOptions } from 'timeback-tracker'
import type { Student } from './session'

/**
 * The tracker's options for this student. Embedded in another site, the frame gets no cookie
 * of ours (third-party cookies are blocked), so each POST carries the launch token instead;
 * the proxy's `authorize` accepts either. Beacons cannot carry a header: the one sent as the
 * page hides is refused, and its events, still stored, go by fetch on the next visit.
 */
export function trackerOptions(student: Student, launchToken: string | undefined): TrackerOptions {
  const options = {
    endpoint: '/api/caliper',
    app: { name: 'Fractions (Vite + Express example)' },
    actor: { id: student.id, email: student.email },
  }
  if (!launchToken) return options
  return { ...options, credentials: 'omit', headers: () => ({ authorization: `Bearer ${launchToken}` }) }
}
