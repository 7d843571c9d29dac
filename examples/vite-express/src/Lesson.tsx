import { useState } from 'react'
import { useActivity, useTrackerSnapshot } from 'timeback-tracker/react'
import { lesson, questions, XP_PER_ANSWER } from './lesson'

export function Lesson() {
  // Starts on mount, ends on unmount; the time in between is measured and sent in slices.
  const activity = useActivity(lesson)
  const snapshot = useTrackerSnapshot()
  const [answers, setAnswers] = useState<Record<number, string>>({})
  const [result, setResult] = useState<{ correct: number; xp: number }>()

  const allAnswered = Object.keys(answers).length === questions.length
  const finish = async () => {
    const correct = questions.filter((q, i) => answers[i] === q.answer).length
    const xp = correct * XP_PER_ANSWER
    // Sends the one ActivityEvent of this run; a second call sends nothing.
    await activity?.complete({ totalQuestions: questions.length, correctQuestions: correct, xpEarned: xp })
    setResult({ correct, xp })
  }

  return (
    <section>
      <h1>{lesson.activity.name}</h1>
      <ol>
        {questions.map((q, i) => (
          <li key={q.prompt}>
            <fieldset disabled={!!result}>
              <legend>{q.prompt}</legend>
              {q.choices.map((choice) => (
                <label key={choice}>
                  <input
                    type="radio"
                    name={`q${i}`}
                    value={choice}
                    checked={answers[i] === choice}
                    onChange={() => setAnswers({ ...answers, [i]: choice })}
                  />
                  {choice}{' '}
                </label>
              ))}
            </fieldset>
          </li>
        ))}
      </ol>
      <button type="button" onClick={finish} disabled={!activity || !!result || !allAnswered}>
        Finish
      </button>
      {result && (
        <p id="result">
          {result.correct} of {questions.length} correct: {result.xp} XP
        </p>
      )}
      <p>
        Time: <output id="state">{snapshot?.activity?.state.reason ?? 'not started'}</output>
        {' · '}waiting to send: <output id="pending">{snapshot?.queue.pending ?? 0}</output>
      </p>
    </section>
  )
}
