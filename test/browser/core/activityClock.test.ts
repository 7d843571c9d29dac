import { expect } from 'chai'
import { createRoundedSlices, type Interval } from '../../../src/core/index.js'
import { HOUR, MINUTE, SECOND, SimulatedHost, T0 } from './simulatedHost.js'

describe('ActivityClock classification (fake clock)', () => {
  it('steady input: all active', () => {
    const host = new SimulatedHost()
    for (let t = 10 * SECOND; t <= 5 * MINUTE; t += 10 * SECOND) host.signal({ type: 'input' }, t)
    host.end(5 * MINUTE + 30 * SECOND)
    host.expectTotals({ active: 330 * SECOND })
    expect(host.reported()).to.deep.equal({ active: 330 })
  })

  it('idle past the timeout, then input again', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'input' }, 20 * SECOND) // active until 80 s
    host.runTo(3 * MINUTE)
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'inactive', reason: 'idle', since: T0 + 80 * SECOND })
    host.signal({ type: 'input' }, 3 * MINUTE)
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'active', reason: 'input' })
    host.end(3 * MINUTE + 30 * SECOND)
    host.expectTotals({ active: 80 * SECOND + 30 * SECOND, inactive: 100 * SECOND })
  })

  it('tab hidden, then back', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'hidden' }, 30 * SECOND)
    const wakesWhileHidden = host.wakes.length
    host.runTo(4 * MINUTE)
    expect(host.wakes.length, 'no timer while hidden').to.equal(wakesWhileHidden)
    expect(host.clock.nextWakeAt()).to.equal(undefined)
    host.signal({ type: 'visible' }, 4 * MINUTE)
    host.end(4 * MINUTE + 10 * SECOND)
    host.expectTotals({ active: 40 * SECOND, inactive: 210 * SECOND })
    expect(host.slices[0]).to.deep.equal({ start: T0, end: T0 + 30 * SECOND, items: [{ type: 'active', value: 30 }] })
  })

  it('hidden past the abandoned-tab cap: the rest is not counted until visible again', () => {
    const host = new SimulatedHost({ hiddenTimeoutMs: 10 * MINUTE })
    host.signal({ type: 'hidden' }, 1 * MINUTE)
    expect(host.clock.snapshot(T0 + 30 * MINUTE).state).to.include({ bucket: 'not-counted', reason: 'abandoned', since: T0 + 11 * MINUTE })
    host.signal({ type: 'visible' }, 2 * HOUR)
    host.end(2 * HOUR + 20 * SECOND)
    host.expectTotals({ active: 80 * SECOND, inactive: 10 * MINUTE, 'not-counted': 2 * HOUR - 11 * MINUTE })
    expect(host.reported()).to.deep.equal({ active: 80, inactive: 600 })
  })

  it('window blurred to another window: inactive until focus returns', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'blur' }, 15 * SECOND)
    expect(host.clock.snapshot(T0 + 20 * SECOND).state).to.include({ bucket: 'inactive', reason: 'blurred' })
    host.signal({ type: 'focus' }, 45 * SECOND)
    host.end(50 * SECOND)
    host.expectTotals({ active: 20 * SECOND, inactive: 30 * SECOND })
  })

  it('focus moved into an iframe of the page: stays active', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'blur', intoFrame: true }, 40 * SECOND)
    host.end(90 * SECOND)
    host.expectTotals({ active: 90 * SECOND })
    // …and the idle timeout still applies from that moment.
    const later = new SimulatedHost()
    later.signal({ type: 'blur', intoFrame: true }, 40 * SECOND)
    later.end(120 * SECOND)
    later.expectTotals({ active: 100 * SECOND, inactive: 20 * SECOND })
  })

  it('input after focus was lost (a tool in an unfocused frame): active until the idle timeout', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'blur' }, 10 * SECOND)
    host.runTo(30 * SECOND)
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'inactive', reason: 'blurred' })
    host.signal({ type: 'input' }, 30 * SECOND) // hovering, wheeling: no click, no focus
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'active', reason: 'input' })
    host.signal({ type: 'input' }, 70 * SECOND)
    host.runTo(3 * MINUTE)
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'inactive', reason: 'blurred', since: T0 + 130 * SECOND })
    host.end(3 * MINUTE)
    host.expectTotals({ active: 10 * SECOND + 100 * SECOND, inactive: 20 * SECOND + 50 * SECOND })
  })

  it('input from before the blur does not carry over; a new blur needs new input', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'input' }, 5 * SECOND)
    host.signal({ type: 'blur' }, 10 * SECOND) // typing in another application from here on
    host.signal({ type: 'visible' }, 20 * SECOND) // e.g. the window restored, still not focused
    host.signal({ type: 'blur' }, 20 * SECOND)
    host.signal({ type: 'input' }, 40 * SECOND)
    host.signal({ type: 'blur' }, 50 * SECOND)
    host.end(2 * MINUTE)
    host.expectTotals({ active: 10 * SECOND + 10 * SECOND, inactive: 30 * SECOND + 70 * SECOND })
  })

  it('a video playing with no input for 5 minutes: active, idle counts from when it stops', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'media-playing' }, 5 * SECOND)
    host.signal({ type: 'media-paused' }, 5 * SECOND + 5 * MINUTE)
    host.end(5 * SECOND + 5 * MINUTE + 90 * SECOND)
    host.expectTotals({ active: 5 * SECOND + 5 * MINUTE + 60 * SECOND, inactive: 30 * SECOND })
  })

  it('media already playing when the activity starts keeps its own duration as its limit', () => {
    const host = new SimulatedHost({}, { visible: true, focused: true, mediaPlaying: true, mediaMs: 30 * MINUTE })
    host.end(40 * MINUTE)
    host.expectTotals({ active: 30 * MINUTE, inactive: 10 * MINUTE })
  })

  it('media on a hidden page is inactive', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'media-playing' }, 0)
    host.signal({ type: 'hidden' }, 10 * SECOND)
    host.signal({ type: 'visible' }, 70 * SECOND)
    host.end(80 * SECOND)
    host.expectTotals({ active: 20 * SECOND, inactive: 60 * SECOND })
  })

  it('frozen while visible, then resumed: unknown', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'freeze' }, 10 * SECOND)
    expect(host.clock.nextWakeAt(), 'no timer while frozen').to.equal(undefined)
    host.sleepTo(3 * MINUTE).signal({ type: 'resume' })
    host.signal({ type: 'input' }, 3 * MINUTE + 5 * SECOND)
    host.end(3 * MINUTE + 10 * SECOND)
    // Resuming is not input: the last input was at the start, so the student is idle until 3:05.
    host.expectTotals({ active: 15 * SECOND, inactive: 5 * SECOND, unknown: 170 * SECOND })
  })

  it('frozen while hidden stays hidden (nothing unobserved happened)', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'hidden' }, 10 * SECOND)
    host.signal({ type: 'freeze' }, 20 * SECOND)
    host.signal({ type: 'resume' }, 2 * MINUTE)
    host.signal({ type: 'visible' }, 2 * MINUTE)
    host.end(2 * MINUTE + 10 * SECOND)
    host.expectTotals({ active: 20 * SECOND, inactive: 110 * SECOND })
  })

  it('a 2-hour clock jump with no timers: unknown from the missed wake-up', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'input' }, 2 * SECOND)
    const expectedWake = host.clock.nextWakeAt()!
    expect(expectedWake).to.equal(T0 + 5 * SECOND) // the next checkpoint
    host.sleepTo(2 * HOUR).signal({ type: 'input' })
    host.end(2 * HOUR + 10 * SECOND)
    host.expectTotals({ active: 5 * SECOND + 10 * SECOND, unknown: 2 * HOUR - 5 * SECOND })
    expect(host.reported()).to.deep.equal({ active: 15, unknown: 7195 })
  })

  it('a timer that is late by less than the tolerance is not a gap', () => {
    const host = new SimulatedHost({ clockGapToleranceMs: 15 * SECOND })
    host.signal({ type: 'input' }, 0)
    host.sleepTo(5 * SECOND + 14 * SECOND).signal({ type: 'input' })
    host.end(20 * SECOND)
    host.expectTotals({ active: 20 * SECOND })
  })

  it('app pause/resume: not counted, and no timer runs while paused', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'app-pause' }, 30 * SECOND)
    expect(host.slices.map((s) => s.items)).to.deep.equal([[{ type: 'active', value: 30 }]])
    expect(host.clock.nextWakeAt()).to.equal(undefined)
    host.signal({ type: 'app-resume' }, 10 * MINUTE)
    host.end(10 * MINUTE + 20 * SECOND)
    host.expectTotals({ active: 50 * SECOND, 'not-counted': 10 * MINUTE - 30 * SECOND })
  })

  it('mark waste with a subType, then unmark', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'mark', kind: 'waste', subType: 'eating' }, 10 * SECOND)
    expect(host.clock.snapshot(host.now).state).to.include({ bucket: 'waste', reason: 'marked', subType: 'eating' })
    host.signal({ type: 'unmark' }, 100 * SECOND)
    host.signal({ type: 'mark', kind: 'anti-pattern' }, 110 * SECOND)
    host.signal({ type: 'unmark' }, 115 * SECOND)
    host.end(120 * SECOND)
    // Unmarking is not input: the last input was at the start, so unmarked time after 60 s is idle.
    host.expectTotals({ active: 10 * SECOND, inactive: 15 * SECOND, waste: 90 * SECOND, 'anti-pattern': 5 * SECOND })
    expect(host.reported()).to.deep.equal({ active: 10, inactive: 15, 'waste:eating': 90, 'anti-pattern': 5 })
  })

  it('bfcache: pagehide(persisted) → pageshow(persisted)', () => {
    const host = new SimulatedHost()
    host.signal({ type: 'hidden' }, 20 * SECOND)
    host.signal({ type: 'pagehide', persisted: true })
    host.signal({ type: 'freeze' }) // Chromium freezes pages in the bfcache
    host.sleepTo(5 * MINUTE)
    host.signal({ type: 'resume' })
    host.signal({ type: 'pageshow', persisted: true })
    host.signal({ type: 'visible' })
    host.end(5 * MINUTE + 30 * SECOND)
    host.expectTotals({ active: 50 * SECOND, inactive: 5 * MINUTE - 20 * SECOND })
  })

  it('a 3-hour activity cut into slices: never above the truth, within 1 s per kind in all', () => {
    const host = new SimulatedHost()
    // An irregular student: bursts of input, idle spells, tab switches, a video, some waste.
    let t = 0
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    while (t < 3 * HOUR - 10 * MINUTE) {
      const roll = random()
      t += Math.floor(random() * 97_000) + 1_003
      if (roll < 0.55) host.signal({ type: 'input' }, t)
      else if (roll < 0.65) host.signal({ type: 'hidden' }, t).signal({ type: 'visible' }, (t += 7_777))
      else if (roll < 0.72) host.signal({ type: 'blur' }, t).signal({ type: 'focus' }, (t += 3_333))
      else if (roll < 0.8) host.signal({ type: 'media-playing' }, t).signal({ type: 'media-paused' }, (t += 45_123))
      else if (roll < 0.85) host.signal({ type: 'mark', kind: 'waste', subType: 'break' }, t).signal({ type: 'unmark' }, (t += 12_345))
    }
    host.end(3 * HOUR)
    const { totals, elapsed } = host.clock.snapshot(host.now)
    expect(elapsed).to.equal(3 * HOUR)
    expect(Object.values(totals).reduce((a, b) => a + b, 0)).to.equal(elapsed)
    expect(host.slices.length).to.be.greaterThan(180)
    const reported = host.reported()
    const truth: Record<string, number> = {
      active: totals.active / 1000,
      inactive: totals.inactive / 1000,
      'waste:break': totals.waste / 1000,
    }
    let lag = 0
    for (const [kind, seconds] of Object.entries(truth)) {
      const sent = reported[kind] ?? 0
      expect(sent, kind).to.be.at.most(seconds)
      lag += seconds - sent
    }
    expect(lag).to.be.lessThan(Object.keys(truth).length)
    // Every slice reports whole, positive seconds, no more in all than it is long (rounded up),
    // and slices tile the activity in order.
    for (const [i, slice] of host.slices.entries()) {
      for (const item of slice.items) expect(Number.isInteger(item.value) && item.value > 0).to.equal(true)
      const sum = slice.items.reduce((a, item) => a + item.value, 0)
      expect(sum).to.be.at.most(Math.ceil((slice.end - slice.start) / 1000))
      if (i > 0) expect(slice.start).to.equal(host.slices[i - 1]!.end)
    }
  })
})

describe('ActivityClock timers', () => {
  it('while visible and idle, wakes at most once a minute (the slice), with no checkpoint', () => {
    const host = new SimulatedHost()
    host.runTo(2 * MINUTE) // becomes idle at 60 s
    const before = host.wakes.length
    const checkpointsBefore = host.checkpoints.length
    host.runTo(12 * MINUTE)
    expect(host.wakes.length - before).to.equal(10)
    expect(host.checkpoints.length).to.equal(checkpointsBefore)
  })

  it('checkpoints every checkpointMs while active time accrues', () => {
    const host = new SimulatedHost()
    for (let t = 1 * SECOND; t < 50 * SECOND; t += 1 * SECOND) host.signal({ type: 'input' }, t)
    host.runTo(50 * SECOND)
    expect(host.checkpoints.map((c) => c - T0)).to.deep.equal([5, 10, 15, 20, 25, 30, 35, 40, 45, 50].map((s) => s * SECOND))
    expect(host.clock.peekSlice(host.now).items).to.deep.equal([{ type: 'active', value: 50 }])
  })

  it('reports each classified stretch to interval listeners', () => {
    const host = new SimulatedHost()
    const intervals: Interval[] = []
    host.clock.onInterval((i) => intervals.push(i))
    host.signal({ type: 'blur' }, 10 * SECOND).signal({ type: 'focus' }, 20 * SECOND).end(25 * SECOND)
    const merged: Interval[] = []
    for (const i of intervals) {
      const last = merged[merged.length - 1]
      if (last && last.bucket === i.bucket && last.reason === i.reason && last.end === i.start) last.end = i.end
      else merged.push({ ...i })
    }
    expect(merged.map((i) => [i.bucket, i.reason, (i.end - i.start) / SECOND])).to.deep.equal([
      ['active', 'input', 10],
      ['inactive', 'blurred', 10],
      ['active', 'input', 5],
    ])
  })

  it('ignores signals after end and time going backwards', () => {
    const host = new SimulatedHost()
    host.end(10 * SECOND)
    host.signal({ type: 'input' }, 20 * SECOND)
    expect(host.clock.snapshot(T0 + 30 * SECOND).totals.active).to.equal(10 * SECOND)
    const back = new SimulatedHost()
    back.signal({ type: 'input' }, 10 * SECOND)
    back.clock.signal({ type: 'input' }, T0 + 5 * SECOND)
    back.end(12 * SECOND)
    back.expectTotals({ active: 12 * SECOND })
  })
})

describe('Rounded slices', () => {
  it('a short slice never reports more than it is long, even when every kind carries a fraction', () => {
    const slices = createRoundedSlices(0)
    for (const kind of ['active', 'inactive', 'waste'] as const) slices.add(kind, 1900)
    expect(slices.close(5700)!.items.map((i) => i.value)).to.deep.equal([1, 1, 1])
    for (const kind of ['active', 'inactive', 'waste'] as const) slices.add(kind, 100)
    const short = slices.close(6000)!
    expect(short.items.reduce((sum, i) => sum + i.value, 0)).to.equal(1) // 300 ms: 1 s, not 3
    // What the short slice could not hold is reported by the next one.
    slices.add('active', 5000)
    expect(slices.close(13_000)!.items).to.deep.equal([{ type: 'active', value: 5 }, { type: 'inactive', value: 1 }, { type: 'waste', value: 1 }])
  })
})
