import { MINUTE_MS, takeAllowance, type AllowanceState } from '../../store/allowance.js'
import type { RateLimitStore } from '../../store/rateLimitStore.js'

/**
 * Rate limits in process memory: right for one instance (the memory ledger's), N instances
 * allow N times the limit. Students whose allowances are full again are forgotten, once a minute.
 */
export function createMemoryRateLimit(now: () => number = Date.now): RateLimitStore {
  const students = new Map<string, AllowanceState>()
  let sweptAt = now()
  return {
    async takeAllowance(studentId, cost, perMinute) {
      const t = now()
      if (t - sweptAt > MINUTE_MS) {
        for (const [id, state] of students) if (Math.max(state.requests, state.events) <= t) students.delete(id)
        sweptAt = t
      }
      const { state, waitMs } = takeAllowance(students.get(studentId), cost, perMinute, t)
      if (waitMs === undefined) students.set(studentId, state)
      return waitMs
    },
  }
}
