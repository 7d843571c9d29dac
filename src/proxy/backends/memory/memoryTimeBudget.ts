import { placeCredit } from '../../store/creditedTime.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import { overlapping, type TimeBudget, type TimeBudgetOptions } from '../../store/timeBudget.js'

/** The time budget in process memory (one proxy instance): spans per student. */
export function createMemoryTimeBudget(options: TimeBudgetOptions): TimeBudget {
  const now = options.now ?? Date.now
  const students = new Map<string, PlacedSpan[]>()
  let sweptAt = now()
  const sweep = () => {
    const oldest = now() - options.ttlMs
    for (const [student, spans] of students) {
      const live = spans.filter((s) => s.end > oldest)
      if (live.length) students.set(student, live)
      else students.delete(student)
    }
    sweptAt = now()
  }
  return {
    async reserveTime(studentId, claims) {
      if (now() - sweptAt > options.ttlMs / 100) sweep()
      const spans = students.get(studentId) ?? []
      const { granted, placed } = placeCredit(overlapping(spans, claims), claims)
      const ids = new Set(claims.map((c) => c.id))
      students.set(studentId, [...spans.filter((s) => !ids.has(s.id)), ...placed])
      return granted
    },
    async releaseTime(studentId, eventIds) {
      const spans = students.get(studentId)
      const freed = new Set(eventIds)
      if (spans) students.set(studentId, spans.filter((s) => !freed.has(s.id)))
    },
  }
}
