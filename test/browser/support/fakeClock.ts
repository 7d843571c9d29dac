// Deterministic time for tracker tests in every engine: replaces Date.now, setTimeout and
// clearTimeout on the page (the tracker looks them up at call time) and runs due timers when
// told. IndexedDB and fetch stay real; `tick` lets their promises settle between timers.

interface Timer {
  id: number
  at: number
  fn: () => void
}

export interface FakeClock {
  now(): number
  /** Advances time by `ms`, running each timer when it falls due (and settling I/O between). */
  tick(ms: number): Promise<void>
  /** Moves the clock without running any timer (a sleeping device). */
  jump(ms: number): void
  /** Timers scheduled and not yet run or cleared. */
  pending(): number
  /** setTimeout calls made while installed. */
  readonly scheduled: number
  uninstall(): void
}

export const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => realSetTimeout(resolve, 0))
}

const realSetTimeout = window.setTimeout.bind(window)

export function installFakeClock(start = Date.parse('2025-03-01T10:00:00.000Z')): FakeClock {
  const original = { now: Date.now, setTimeout: window.setTimeout, clearTimeout: window.clearTimeout }
  let now = start
  let nextId = 1e6
  let scheduled = 0
  const timers = new Map<number, Timer>()
  Date.now = () => now
  window.setTimeout = ((fn: () => void, ms = 0) => {
    const id = nextId++
    scheduled++
    timers.set(id, { id, at: now + Math.max(0, ms), fn })
    return id
  }) as typeof window.setTimeout
  window.clearTimeout = ((id: number) => void timers.delete(id)) as typeof window.clearTimeout

  return {
    now: () => now,
    async tick(ms) {
      const until = now + ms
      await settle(2)
      for (;;) {
        const due = [...timers.values()].filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0]
        if (!due) break
        timers.delete(due.id)
        now = Math.max(now, due.at)
        due.fn()
        await settle(2)
      }
      now = until
      await settle(2)
    },
    jump(ms) {
      now += ms
    },
    pending: () => timers.size,
    get scheduled() {
      return scheduled
    },
    uninstall() {
      Date.now = original.now
      window.setTimeout = original.setTimeout
      window.clearTimeout = original.clearTimeout
    },
  }
}
