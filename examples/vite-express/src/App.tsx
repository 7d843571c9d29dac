import { useEffect, useState } from 'react'
import { TrackerProvider } from 'timeback-tracker/react'
import { Lesson } from './Lesson'
import { fetchStudent, launchTokenFromUrl, signOut, type Student } from './session'
import { SignIn } from './SignIn'
import { trackerOptions } from './trackerOptions'

const launchToken = launchTokenFromUrl()

export function App() {
  // undefined: still asking the server; null: nobody signed in.
  const [student, setStudent] = useState<Student | null>()
  const [problem, setProblem] = useState<string>()
  useEffect(() => {
    fetchStudent(launchToken).then(setStudent, (error: Error) => setProblem(error.message))
  }, [])

  if (problem) return <p role="alert">{problem}</p>
  if (student === undefined) return <p>Loading…</p>
  if (student === null) {
    if (!launchToken) return <SignIn onSignedIn={setStudent} />
    return <p role="alert">This launch has expired: open the lesson again from your course.</p>
  }
  const leave = async () => {
    await signOut()
    setStudent(null)
  }
  return (
    <main>
      <p>
        Signed in as <strong id="student">{student.name}</strong>
        {launchToken ? ' (embedded)' : <> · <button type="button" onClick={leave}>Sign out</button></>}
      </p>
      <TrackerProvider options={trackerOptions(student, launchToken)}>
        <Lesson />
      </TrackerProvider>
    </main>
  )
}
