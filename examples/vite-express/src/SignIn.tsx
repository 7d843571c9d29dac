import { useState, type FormEvent } from 'react'
import { signIn, type Student } from './session'

// The example's students (server/roster.ts). A real app checks a password or an identity
// provider here; what matters to the tracker is the session cookie the server sets.
const students = [
  { key: 'ada', name: 'Ada Lovelace' },
  { key: 'grace', name: 'Grace Hopper' },
]

export function SignIn({ onSignedIn }: { onSignedIn: (student: Student) => void }) {
  const [problem, setProblem] = useState<string>()
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
          {students.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Sign in</button>
      {problem && <p role="alert">{problem}</p>}
    </form>
  )
}
