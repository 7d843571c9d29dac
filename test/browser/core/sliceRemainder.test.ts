// A slice whose checkpoint was sealed by another tab while the page stalled (pure core).
import { expect } from 'chai'
import { createRoundedSlices, createSliceDates } from '../../../src/core/index.js'
import { sliceRemainder } from '../../../src/core/sliceRemainder.js'
import { SECOND, T0 } from './simulatedHost.js'

describe('sliceRemainder', () => {
  it('reports what the slice added after the sealed checkpoint, from where it ended, once', () => {
    const slices = createRoundedSlices(T0)
    const dated = createSliceDates(T0)
    slices.add('active', 10_400)
    slices.add('waste', 2_700, 'video')
    const sealed = dated(slices.peek(T0 + 13_100), T0 + 13_100) // the checkpoint another tab sealed
    expect(sealed.items).to.deep.equal([
      { type: 'active', value: 10 },
      { type: 'waste', subType: 'video', value: 2 },
    ])
    // The page wakes from a 2-minute sleep (unknown time) with a little more of each kind.
    slices.add('active', 800)
    slices.add('waste', 400, 'video')
    slices.add('unknown', 120_000)
    const closed = dated(slices.close(T0 + 134_300)!, T0 + 134_300, true)
    const rest = sliceRemainder(closed, sealed)
    expect(rest).to.deep.equal({
      start: T0 + 13_100,
      end: T0 + 134_300,
      items: [
        { type: 'active', value: 1 },
        { type: 'waste', subType: 'video', value: 1 },
        { type: 'unknown', value: 120 },
      ],
    })
    // Sealed and rest together are the whole slice: no second twice, none lost.
    const total = (items: Array<{ value: number }>) => items.reduce((sum, i) => sum + i.value, 0)
    expect(total(sealed.items) + total(rest.items)).to.equal(total(closed.items))
  })

  it('a kind with nothing new since the seal is left out; nothing new at all is an empty report', () => {
    const sealed = { start: T0, end: T0 + 10 * SECOND, items: [{ type: 'active' as const, value: 10 }] }
    const same = { start: T0, end: T0 + 11 * SECOND, items: [{ type: 'active' as const, value: 10 }] }
    expect(sliceRemainder(same, sealed)).to.deep.equal({ start: T0 + 10 * SECOND, end: T0 + 11 * SECOND, items: [] })
  })
})
