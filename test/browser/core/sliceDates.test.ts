// Dating slices measured on the monotonic clock (pure core, fake clock).
import { expect } from 'chai'
import { createSliceDates, type SliceReport } from '../../../src/core/index.js'
import { HOUR, MINUTE, SECOND, SimulatedHost, T0 } from './simulatedHost.js'

/** Each slice starts where the previous one ended, ends after it starts and spans its seconds. */
function expectContinuous(slices: SliceReport[]): void {
  expect(slices.length, 'slices').to.be.greaterThan(1)
  let at = T0
  for (const [i, slice] of slices.entries()) {
    const seconds = slice.items.reduce((sum, item) => sum + item.value, 0)
    expect(slice.start, `slice ${i} starts where the previous one ended`).to.equal(at)
    expect(slice.end - slice.start, `slice ${i} spans the ${seconds} s it reports`).to.be.at.least(seconds * SECOND)
    expect(slice.end, `slice ${i} ends after it starts`).to.be.greaterThan(slice.start)
    at = slice.end
  }
}

/** Input every 10 s from `from` to `to` (offsets from T0). */
const work = (host: SimulatedHost, from: number, to: number) => {
  for (let t = from; t < to; t += 10 * SECOND) host.signal({ type: 'input' }, t)
  return host.runTo(to)
}

describe('slice dates', () => {
  it('with no correction, slices are dated by the wall clock, unchanged', () => {
    const host = work(new SimulatedHost(), 0, 3 * MINUTE + 20 * SECOND).end(3 * MINUTE + 20 * SECOND)
    expect(host.dated).to.deep.equal(host.slices)
    expectContinuous(host.dated)
  })

  it('a 10-minute backwards correction: nothing lost, dates run on from the last slice', () => {
    const host = work(new SimulatedHost(), 0, 90 * SECOND)
    host.correct(-10 * MINUTE)
    work(host, 90 * SECOND, 4 * MINUTE).end(4 * MINUTE)
    host.expectTotals({ active: 4 * MINUTE })
    expect(host.reported()).to.deep.equal({ active: 240 })
    expectContinuous(host.dated)
    expect(host.dated.at(-1)!.end - host.wall, 'ahead of the corrected clock by the correction').to.equal(10 * MINUTE)
  })

  it('after a backwards correction, dates rejoin the wall clock during time not reported', () => {
    const host = work(new SimulatedHost(), 0, 90 * SECOND)
    host.correct(-10 * MINUTE)
    host.signal({ type: 'app-pause' }, 90 * SECOND).signal({ type: 'app-resume' }, 15 * MINUTE)
    work(host, 15 * MINUTE, 16 * MINUTE).end(16 * MINUTE)
    expectContinuous(host.dated)
    expect(host.dated.at(-1)!.end).to.equal(host.wall)
  })

  it('a 10-minute forward correction: nothing added, the slice across it spans the jump', () => {
    const host = work(new SimulatedHost(), 0, 90 * SECOND)
    host.correct(10 * MINUTE)
    work(host, 90 * SECOND, 4 * MINUTE).end(4 * MINUTE)
    host.expectTotals({ active: 4 * MINUTE })
    expect(host.reported()).to.deep.equal({ active: 240 })
    expectContinuous(host.dated)
    expect(host.dated[1]).to.deep.include({ start: T0 + MINUTE, end: T0 + 2 * MINUTE + 10 * MINUTE })
    expect(host.dated.at(-1)!.end).to.equal(host.wall)
  })

  it('a sleep the monotonic clock counts is unknown, and the dates span it', () => {
    const host = work(new SimulatedHost(), 0, 20 * SECOND)
    host.sleepTo(2 * HOUR).signal({ type: 'input' })
    work(host, 2 * HOUR, 2 * HOUR + 30 * SECOND).end(2 * HOUR + 30 * SECOND)
    host.expectTotals({ active: 55 * SECOND, unknown: 2 * HOUR - 25 * SECOND })
    expectContinuous(host.dated)
    expect(host.dated.at(-1)!.end).to.equal(host.wall)
  })

  it('checkpoints carry the dates the slice will close with, and never move the next start', () => {
    const host = work(new SimulatedHost(), 0, 90 * SECOND)
    host.correct(-10 * MINUTE)
    host.runTo(100 * SECOND)
    const checkpoint = host.peekDated()
    expect(host.peekDated(), 'peeking changes nothing').to.deep.equal(checkpoint)
    expect(checkpoint).to.deep.include({ start: T0 + MINUTE, end: T0 + 100 * SECOND })
    host.end(100 * SECOND)
    expect(host.dated.at(-1)).to.deep.equal(checkpoint)
  })

  it('a slice whose rounded seconds exceed its wall-clock span is widened to hold them', () => {
    const date = createSliceDates(T0)
    const report = (end: number, value: number): SliceReport => ({ start: 0, end, items: [{ type: 'active', value }] })
    // 1.6 s of active time closes as 1 s; the next 0.6 s brings the total to 2.2 s: 1 s more.
    expect(date(report(0, 1), T0 + 1_600, true)).to.deep.include({ start: T0, end: T0 + 1_600 })
    expect(date(report(0, 1), T0 + 2_200, true)).to.deep.include({ start: T0 + 1_600, end: T0 + 2_600 })
    expect(date(report(0, 1), T0 + 3_300, true)).to.deep.include({ start: T0 + 2_600, end: T0 + 3_600 })
  })
})
