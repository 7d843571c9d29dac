// The flush scheduler (src/delivery/flushScheduler.ts) on Node's mock timers: one run at a
// time, one backoff timer, "run again" after a run in flight, flush() waiting for a fresh run.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { BACKOFF_BASE_MS } from '../../src/delivery/backoff.js'
import { createFlushScheduler } from '../../src/delivery/flushScheduler.js'

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A run the test finishes by hand, counting starts. */
function manualRuns() {
  const runs: Array<() => void> = []
  return {
    runs,
    run: () => new Promise<void>((resolve) => runs.push(resolve)),
    finish: async (i: number) => {
      runs[i]!()
      await tick()
    },
  }
}

describe('createFlushScheduler', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }))
  afterEach(() => mock.timers.reset())

  it('soon() in one task starts one run; a request during a run starts one more after it', async () => {
    const m = manualRuns()
    const s = createFlushScheduler(m.run)
    s.soon()
    s.soon()
    await tick()
    assert.equal(m.runs.length, 1)
    s.soon()
    s.soon()
    await tick()
    assert.equal(m.runs.length, 1, 'never two at once')
    await m.finish(0)
    assert.equal(m.runs.length, 2, 'one more, after the run in flight')
    await m.finish(1)
    assert.equal(m.runs.length, 2)
  })

  it('now() resolves only after a run that started after the call', async () => {
    const m = manualRuns()
    const s = createFlushScheduler(m.run)
    s.soon()
    await tick()
    let resolved = false
    void s.now().then(() => (resolved = true))
    await m.finish(0)
    assert.equal(resolved, false, 'the run in flight may have read the journal before the call')
    assert.equal(m.runs.length, 2)
    await m.finish(1)
    assert.equal(resolved, true)
  })

  it('retry() backs off with growing steps and no other run starts meanwhile; succeeded() starts over', async () => {
    let runs = 0
    const s = createFlushScheduler(async () => void runs++)
    const waits = [0, 1, 2, 3].map(() => s.retry())
    waits.forEach((wait, attempt) => assert.ok(wait < BACKOFF_BASE_MS * 2 ** attempt, `step ${attempt}: ${wait}`))
    s.soon()
    await tick()
    assert.equal(runs, 0, 'soon() waits for the backoff')
    mock.timers.tick(waits[3]!)
    await tick()
    assert.equal(runs, 1)
    const random = mock.method(Math, 'random', () => 0.999)
    assert.ok(s.retry() >= BACKOFF_BASE_MS * 2 ** 4 * 0.99, 'the fifth step is up to 16 s')
    s.succeeded()
    assert.ok(s.retry() < BACKOFF_BASE_MS, 'after a success the first step is short again')
    random.mock.restore()
  })

  it('retry() honours a longer Retry-After', () => {
    const s = createFlushScheduler(async () => {})
    assert.equal(s.retry(30_000), 30_000)
  })

  it('pause() stops everything until now(true); now() alone does not lift it', async () => {
    let runs = 0
    const s = createFlushScheduler(async () => void runs++)
    s.retry()
    s.pause()
    mock.timers.tick(300_000)
    s.soon()
    await s.now()
    await tick()
    assert.equal(runs, 0)
    assert.equal(s.paused, true)
    await s.now(true)
    assert.equal(runs, 1)
    assert.equal(s.paused, false)
  })

  it('stop() cancels the backoff timer and refuses new runs', async () => {
    let runs = 0
    const s = createFlushScheduler(async () => void runs++)
    s.retry()
    s.stop()
    mock.timers.tick(300_000)
    s.soon()
    await s.now()
    await tick()
    assert.equal(runs, 0)
  })
})
