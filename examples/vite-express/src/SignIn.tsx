import { useEffect, useState, type FormEvent } from 'react'
import { fetchRoster, signIn, type RosterEntry, type Student } from './session'

// A real app checks a password or an identity provider here; what matters to the tracker is
// the session cookie the server sets.
export function SignIn({ onSignedIn }: { onSignedIn: (student: Student) => void }) {
  const [roster, setRoster] = useState<RosterEntry[]>([])
  const [problem, setProblem] = useState<string>()
  useEffect(() => {
    fetchRoster().then(setRoster, (error: Error) => setProblem(error.message))
  }, [])
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const key = new FormData(event.currentTarget).get('student')
    await signIn(String(key)).then(onSignedIn, (error: Error) => setProblem(error.message))
  }
  return (
    <form onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        Student{' '}
        <select name="student">
          {roster.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" disabled={!roster.length}>
        Sign in
      </button>
      {problem && <p role="alert">{problem}</p>}
    </form>
  )
}
