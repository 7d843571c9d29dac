// The activity: what the tracker reports (ids are URLs the platform can tell apart), and its
// three questions.
export const lesson = {
  id: 'https://example.org/lessons/fractions-warm-up',
  subject: 'Math',
  activity: { name: 'Fractions warm-up' },
  course: { id: 'https://example.org/courses/math-grade-5', name: 'Math G5' },
} as const

export const questions = [
  { prompt: '1/2 + 1/4 =', choices: ['2/6', '3/4', '1/8'], answer: '3/4' },
  { prompt: 'Which is larger?', choices: ['2/3', '3/5'], answer: '2/3' },
  { prompt: '3/9 simplified is', choices: ['1/3', '1/6', '3/9'], answer: '1/3' },
]

/** XP for each correct answer. */
export const XP_PER_ANSWER = 10
