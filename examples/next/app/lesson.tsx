'use client'
import { useState } from 'react'
import { useActivity, useTrackerSnapshot } from 'timeback-tracker/react'

const lesson = {
  id: 'https://example.org/lessons/fractions-quiz',
  subject: 'Math',
  activity: { name: 'Fractions quiz' },
} as const

export function Lesson() {
  const activity = useActivity(lesson)
  const snapshot = useTrackerSnapshot()
  const [finished, setFinished] = useState(false)
  const finish = async () => {
    await activity?.complete({ totalQuestions: 10, correctQuestions: 9, xpEarned: 150 })
    setFinished(true)
  }
  return (
    <>
      <p>
        Time: <output id="state">{snapshot?.activity?.state.reason ?? 'not started'}</output>
        {' · '}waiting to send: <output id="pending">{snapshot?.queue.pending ?? 0}</output>
      </p>
      <button type="button" onClick={finish} disabled={!activity || finished}>
        {finished ? 'Finished' : 'Finish the quiz'}
      </button>
    </>
  )
}
