// The claim model's corners, one example each, as `claimModel.ts` decides them: the oracle the
// conformance suite holds every ledger to.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { applyClaimOperation, type ClaimOperation, type ClaimState } from '../../src/proxy/store/claimModel.js'

const settings = { ttlMs: 10_000 }
const T = 1_000_000
const run = (state: ClaimState, operation: ClaimOperation, now = T) => applyClaimOperation(state, operation, now, settings)
const claimedBy = (owner: string, until: number): ClaimState => ({ kind: 'claimed', owner, until, purgeAt: until + settings.ttlMs })

describe('claim model', () => {
  it('claims a fresh id for its owner, kept the retention past its lease', () => {
    assert.deepEqual(run({ kind: 'fresh' }, { op: 'claim', owner: 'a', leaseMs: 500 }), {
      state: claimedBy('a', T + 500),
      answer: { answer: 'claimed', doubtful: false },
    })
  })

  it('answers held to everyone while a lease or hold runs, the owner included', () => {
    for (const owner of ['a', 'b']) {
      assert.deepEqual(run(claimedBy('a', T + 1), { op: 'claim', owner, leaseMs: 500 }).answer, { answer: 'held' })
    }
    assert.deepEqual(run({ kind: 'inDoubt', until: T + 1, purgeAt: T + 1 + settings.ttlMs }, { op: 'claim', owner: 'b', leaseMs: 500 }).answer, { answer: 'held' })
  })

  it('takes a lapsed claim or an ended hold again as doubtful, from the millisecond it ends', () => {
    assert.deepEqual(run(claimedBy('a', T), { op: 'claim', owner: 'b', leaseMs: 500 }).answer, { answer: 'claimed', doubtful: true })
    assert.deepEqual(run({ kind: 'inDoubt', until: T, purgeAt: T + settings.ttlMs }, { op: 'claim', owner: 'a', leaseMs: 500 }).answer, { answer: 'claimed', doubtful: true })
  })

  it('forgets a claim at the end of its keeping, and a delivery at the end of its retention: both fresh, not doubtful', () => {
    assert.deepEqual(run(claimedBy('a', T - settings.ttlMs), { op: 'claim', owner: 'b', leaseMs: 500 }).answer, { answer: 'claimed', doubtful: false })
    assert.deepEqual(run({ kind: 'delivered', until: T }, { op: 'claim', owner: 'b', leaseMs: 500 }).answer, { answer: 'claimed', doubtful: false })
    assert.deepEqual(run({ kind: 'delivered', until: T + 1 }, { op: 'claim', owner: 'b', leaseMs: 500 }).answer, { answer: 'delivered' })
  })

  it('lets the owner settle its claim after the lease lapsed, while nobody took it over and it is still kept', () => {
    const lapsed = claimedBy('a', T - 1)
    assert.deepEqual(run(lapsed, { op: 'commit', owner: 'a' }).state, { kind: 'delivered', until: T + settings.ttlMs })
    assert.deepEqual(run(lapsed, { op: 'release', owner: 'a' }).state, { kind: 'fresh' })
    assert.deepEqual(run(lapsed, { op: 'renew', owner: 'a', leaseMs: 500 }), { state: claimedBy('a', T + 500), answer: { answer: 'applied' } })
    assert.deepEqual(run(lapsed, { op: 'markInDoubt', owner: 'a', holdMs: 500 }).state, { kind: 'inDoubt', until: T + 500, purgeAt: T + 500 + settings.ttlMs })
  })

  it('ignores every transition by another owner, on a forgotten claim, or on a hold or delivery', () => {
    const states: ClaimState[] = [
      claimedBy('b', T + 500),
      claimedBy('a', T - settings.ttlMs),
      { kind: 'inDoubt', until: T + 500, purgeAt: T + 500 + settings.ttlMs },
      { kind: 'delivered', until: T + 500 },
      { kind: 'fresh' },
    ]
    const operations: ClaimOperation[] = [
      { op: 'renew', owner: 'a', leaseMs: 500 },
      { op: 'commit', owner: 'a' },
      { op: 'release', owner: 'a' },
      { op: 'markInDoubt', owner: 'a', holdMs: 500 },
    ]
    for (const state of states) {
      for (const operation of operations) assert.deepEqual(run(state, operation).answer, { answer: 'ignored' }, `${operation.op} on ${JSON.stringify(state)}`)
    }
  })
})
