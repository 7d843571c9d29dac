// Deterministic time for tracker tests in every engine: replaces Date.now, performance.now,
// setTimeout and clearTimeout on the page (the tracker looks them up at call time) and runs due
// timers when told. Two clocks, as in a browser: the wall clock (Date.now) and the monotonic
// clock (performance.now) that timers run on; corrections move only the first. IndexedDB and
// fetch stay real; `tick` waits (in real time) for requests, IndexedDB transactions and Web Lock
// requests in flight and lets promises settle before each timer, so the network, the disk and the
// lock manager are never slower than fake time.

interface Timer {
  id: number
  at: number
  fn: () => void
}

export interface FakeClock {
  now(): number
  /** Advances time by `ms`, running each timer when it falls due (and settling I/O between). */
  tick(ms: number): Promise<void>
  /** Lets promises settle and waits (in real time) for requests in flight, running no timer. */
  quiet(): Promise<void>
  /**
   * Both clocks move on without running any timer: a device asleep on an engine whose monotonic
   * clock counts sleep (timers then fire late).
   */
  jump(ms: number): void
  /**
   * Only the wall clock moves: a clock correction (NTP, a student changing the time), which is
   * also what a sleep looks like on an engine whose monotonic clock stops while asleep.
   */
  shiftWall(ms: number): void
  /** Timers scheduled and not yet run or cleared. */
  pending(): number
  /** setTimeout calls made while installed. */
  readonly scheduled: number
  /** Timers that actually fired (wake-ups). */
  readonly fired: number
  uninstall(): void
}

export const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => realSetTimeout(resolve, 0))
}

const realSetTimeout = window.setTimeout.bind(window)
// The clock's own bookkeeping listeners stay out of tests that count the tracker's listeners.
const { addEventListener: addListener, removeEventListener: removeListener } = EventTarget.prototype

/**
 * `transactionCapMs`: an IndexedDB transaction counts as in flight for at most this long (real
 * ms); by default until it ends. For tests where another tab holds the store: the transactions
 * queued behind it must not stop fake time, or no deadline could ever fall due.
 */
export function installFakeClock(start = Date.parse('2025-03-01T10:00:00.000Z'), transactionCapMs?: number): FakeClock {
  const original = {
    now: Date.now,
    perfNow: performance.now,
    setTimeout: window.setTimeout,
    clearTimeout: window.clearTimeout,
    fetch: window.fetch,
  }
  let inFlight = 0
  window.fetch = (async (...args: Parameters<typeof fetch>) => {
    inFlight++
    try {
      const response = await original.fetch.apply(window, args)
      // Read the body inside the count, as the code under test is about to.
      const body = await response.clone().arrayBuffer()
      const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
      // A followed redirect must stay visible to the code under test.
      return Object.defineProperty(copy, 'redirected', { value: response.redirected })
    } finally {
      inFlight--
    }
  }) as typeof fetch
  // IndexedDB work in flight counts too: the tracker gives each call a deadline on this clock,
  // which must not fall due while a transaction is merely slow in real time. An open can wait
  // for good (behind another tab's deleteDatabase), so it counts for at most a real second.
  // Counted only once it is listened to: a count nothing can release would stop `quiet()`, and
  // so every `tick`, for good.
  /** Counts one piece of work in flight; returns its release (once; at the latest after `capMs`). */
  const count = (capMs?: number) => {
    let done = false
    const release = () => {
      if (!done) inFlight--
      done = true
    }
    inFlight++
    if (capMs) realSetTimeout(release, capMs)
    return release
  }
  const track = (target: EventTarget, events: string[], capMs?: number) => {
    const done = count(capMs)
    const release = () => {
      done()
      for (const type of events) removeListener.call(target, type, release)
    }
    for (const type of events) addListener.call(target, type, release)
  }
  const idb = { transaction: IDBDatabase.prototype.transaction, open: IDBFactory.prototype.open }
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const transaction = idb.transaction.apply(this, args)
    track(transaction, ['complete', 'abort', 'error'], transactionCapMs)
    return transaction
  }
  IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
    const request = idb.open.apply(this, args)
    track(request, ['success', 'error'], 1000)
    return request
  }
  // A Web Lock request counts until it is granted (or refused): a flush starts by taking one and
  // sets its deadlines once it has it, and the grant comes from another process (WebKit's UI
  // process), which a busy machine keeps waiting for tens of milliseconds. Left uncounted, a slow
  // grant lets `tick` run past the time those deadlines are set at, and they then fall due only
  // on a tick that never comes. A lock held by another page can be waited for without end, so a
  // request counts for at most a real second.
  const locks = typeof LockManager === 'undefined' ? undefined : { request: LockManager.prototype.request }
  if (locks) {
    LockManager.prototype.request = function (this: LockManager, name: string, ...rest: unknown[]) {
      const done = count(1000)
      const callback = rest.pop() as LockGrantedCallback<unknown>
      const granted: LockGrantedCallback<unknown> = (lock) => (done(), callback(lock))
      const request = (locks.request as (...args: unknown[]) => Promise<unknown>).call(this, name, ...rest, granted)
      request.then(done, done)
      return request
    } as LockManager['request']
  }
  const quiet = async () => {
    do await settle(2)
    while (inFlight > 0)
    await settle(2)
  }
  let now = start
  let mono = 1_000 // ms since the page's time origin; timers are due on this clock
  let nextId = 1e6
  let scheduled = 0
  let fired = 0
  const timers = new Map<number, Timer>()
  Date.now = () => now
  performance.now = () => mono
  window.setTimeout = ((fn: () => void, ms = 0) => {
    const id = nextId++
    scheduled++
    timers.set(id, { id, at: mono + Math.max(0, ms), fn })
    return id
  }) as typeof window.setTimeout
  window.clearTimeout = ((id: number) => void timers.delete(id)) as typeof window.clearTimeout

  return {
    now: () => now,
    quiet,
    async tick(ms) {
      const until = mono + ms
      const advanceTo = (at: number) => {
        now += at - mono
        mono = at
      }
      await quiet()
      for (;;) {
        const due = [...timers.values()].filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0]
        if (!due) break
        timers.delete(due.id)
        advanceTo(Math.max(mono, due.at))
        fired++
        due.fn()
        await quiet()
      }
      advanceTo(until)
      await quiet()
    },
    jump(ms) {
      now += ms
      mono += ms
    },
    shiftWall(ms) {
      now += ms
    },
    pending: () => timers.size,
    get scheduled() {
      return scheduled
    },
    get fired() {
      return fired
    },
    uninstall() {
      Date.now = original.now
      performance.now = original.perfNow
      window.setTimeout = original.setTimeout
      window.clearTimeout = original.clearTimeout
      window.fetch = original.fetch
      IDBDatabase.prototype.transaction = idb.transaction
      IDBFactory.prototype.open = idb.open
      if (locks) LockManager.prototype.request = locks.request
    },
  }
}
