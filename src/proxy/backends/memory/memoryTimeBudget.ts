import { createTimeBudget } from '../../store/createTimeBudget.js'
import type { PlacedSpan } from '../../store/creditedTime.js'
import type { SpanStore } from '../../store/spanStore.js'
import type { TimeBudget, TimeBudgetOptions } from '../../store/timeBudget.js'

/**
 * The spans of one process's students, in memory. Nothing else runs between a read and a write
 * here, so a reservation places atomically without versions; the version still counts every
 * change, for callers of the versioned interface.
 */
export function createMemorySpanStore(options: TimeBudgetOptions): SpanStore {
  const now = options.now ?? Date.now
  const students = new Map<string, { version: number; spans: PlacedSpan[] }>()
  let sweptAt = now()
  const sweep = () => {
    const oldest = now() - options.ttlMs
    for (const [student, entry] of students) {
      entry.spans = entry.spans.filter((s) => s.end > oldest)
      if (!entry.spans.length) students.delete(student)
    }
    sweptAt = now()
  }
  const entryOf = (student: string) => {
    if (now() - sweptAt > options.ttlMs / 100) sweep()
    let entry = students.get(student)
    if (!entry) students.set(student, (entry = { version: 0, spans: [] }))
    return entry
  }
  const replace = (student: string, eventIds: string[], placed: PlacedSpan[]) => {
    const entry = entryOf(student)
    const ids = new Set(eventIds)
    entry.spans = [...entry.spans.filter((s) => !ids.has(s.id)), ...placed]
    entry.version++
    if (!entry.spans.length) students.delete(student)
  }
  const within = (spans: PlacedSpan[], from: number, to: number) => spans.filter((s) => s.end > from && s.start < to)
  return {
    async readSpans(student, from, to) {
      const entry = students.get(student)
      return { version: String(entry?.version ?? 0), spans: within(entry?.spans ?? [], from, to) }
    },
    async writeSpans(student, seen, eventIds, placed) {
      if (String(students.get(student)?.version ?? 0) !== seen) return false
      replace(student, eventIds, placed)
      return true
    },
    async releaseSpans(student, eventIds) {
      if (students.has(student)) replace(student, eventIds, [])
    },
    async placeAtomically(student, from, to, eventIds, place) {
      const { placed, result } = place(within(entryOf(student).spans, from, to))
      replace(student, eventIds, placed)
      return result
    },
  }
}

/** The time budget in process memory (one proxy instance). */
export const createMemoryTimeBudget = (options: TimeBudgetOptions): TimeBudget => createTimeBudget(createMemorySpanStore(options))
