// A Server Component: it renders the provider (a client component, from the package's
// 'use client' entry) with plain, serializable options; tracking starts in the browser.
import { TrackerProvider } from 'timeback-tracker/react'
import { Lesson } from './lesson'
import { student } from './student'

export default function Page() {
  return (
    <main>
      <h1>Fractions quiz</h1>
      <TrackerProvider options={{ endpoint: '/api/caliper', app: { name: 'Next.js Example' }, actor: student }}>
        <Lesson />
      </TrackerProvider>
    </main>
  )
}
