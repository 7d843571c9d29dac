import type { TimebackEvent } from '../../events/eventTypes.js'
import type { ClaimLease } from '../store/claimLease.js'
import { ledgerKey } from '../store/ledger.js'
import type { Upstream, UpstreamOutcome } from '../upstream/upstream.js'

export interface Forwarded {
  accepted: string[]
  /** Ids the platform refused while alone in an envelope. */
  refused: Array<{ id: string; status: number }>
  inDoubt: string[]
  /** Why forwarding stopped before every event was settled, if it did. */
  failure?: Exclude<UpstreamOutcome, { kind: 'accepted' | 'invalid' }>
  /**
   * The ledger failed to record an outcome. The events' outcomes still stand: an id left
   * claimed becomes doubtful when its lease ends, so it is never simply forwarded again.
   */
  ledgerError?: unknown
}

/**
 * Forwards claimed events in one envelope and settles each id in the ledger the moment its
 * outcome is known. When the platform calls the envelope invalid, the events go one at a time,
 * so one bad event never blocks the others; each is committed as soon as its 2xx arrives, and
 * if the platform fails midway only the ids never sent are released.
 */
export async function forwardEvents(
  send: Upstream,
  sensor: string,
  events: TimebackEvent[],
  lease: ClaimLease,
  inDoubtHoldMs: number,
): Promise<Forwarded> {
  const result: Forwarded = { accepted: [], refused: [], inDoubt: [] }
  const keys = (list: TimebackEvent[]) => list.map((e) => ledgerKey(e.id))
  const record = (written: Promise<void>) => written.catch((error) => void (result.ledgerError ??= error))
  const settle = async (batch: TimebackEvent[], outcome: UpstreamOutcome): Promise<boolean> => {
    if (outcome.kind === 'accepted') {
      result.accepted.push(...batch.map((e) => e.id))
      await record(lease.commit(keys(batch)))
    } else if (outcome.kind === 'invalid') {
      result.refused.push({ id: batch[0]!.id, status: outcome.status })
      await record(lease.release(keys(batch)))
    } else {
      if (outcome.kind === 'in-doubt') {
        result.inDoubt.push(...batch.map((e) => e.id))
        await record(lease.markInDoubt(keys(batch), inDoubtHoldMs))
      } else await record(lease.release(keys(batch)))
      result.failure = outcome
      return false
    }
    return true
  }

  const first = await send(sensor, events)
  if (first.kind !== 'invalid' || events.length === 1) {
    await settle(events, first)
    return result
  }
  for (const [index, event] of events.entries()) {
    // A claim the ledger no longer grants us (a lease lost to a stall) is someone else's now.
    if (!lease.held.has(ledgerKey(event.id))) continue
    if (!(await settle([event], await send(sensor, [event])))) {
      await record(lease.release(keys(events.slice(index + 1))))
      break
    }
  }
  return result
}
