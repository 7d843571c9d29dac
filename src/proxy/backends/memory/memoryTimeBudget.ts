import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { AtomicSpanStore } from '../../store/spanStore.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'

/** The spans of one process's students, in memory: nothing runs between a read and a write here. */
export function createMemorySpanStore(options: TimeBudgetOptions): AtomicSpanStore {
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
  const replace = (student: string, eventIds: string[], placed: PlacedSpan[]) => {
    const ids = new Set(eventIds)
    const spans = [...(students.get(student) ?? []).filter((s) => !ids.has(s.id)), ...placed]
    if (spans.length) students.set(student, spans)
    else students.delete(student)
  }
  return {
    async placeAtomically(student, from, to, eventIds, place) {
      if (now() - sweptAt > options.ttlMs / 100) sweep()
      const spans = (students.get(student) ?? []).filter((s) => s.end > from && s.start < to)
      const { placed, result } = place(spans)
      replace(student, eventIds, placed)
      return result
    },
    async releaseSpans(student, eventIds) {
      replace(student, eventIds, [])
    },
  }
}

/** The time budget in process memory (one proxy instance). */
export const createMemoryTimeBudget = (options: TimeBudgetOptions): TimeBudget => createTimeBudget(createMemorySpanStore(options))
