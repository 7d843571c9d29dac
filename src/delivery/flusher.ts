import type { TimebackEvent } from '../events/eventTypes.js'
import type { EventJournal } from '../journal/eventJournal.js'
import { deadLetter, type JournalRecord } from '../journal/journalRecord.js'
import { sealDeadCheckpoints } from '../journal/sealDeadCheckpoints.js'
import { withLock } from '../journal/webLocks.js'
import { TrackerError } from '../trackerError.js'
import { backoffDelay } from './backoff.js'
import { beaconBodies, sendBeacons } from './beaconBatches.js'
import { postBatch, type PostOptions } from './postBatch.js'

/** One delivery attempt, for `subscribe()` listeners and the demo. */
export interface Delivery {
  transport: 'fetch' | 'beacon'
  at: number
  /** Events in the attempt. */
  ids: string[]
  status?: number
  /** Acknowledged (accepted or duplicate): removed from the journal. */
  done?: string[]
  /** Refused for good: moved to the dead-letter store. */
  rejected?: string[]
  /** Set when the attempt failed and a retry is scheduled. */
  retryInMs?: number
  error?: string
}

export interface FlusherOptions extends PostOptions {
  journal: EventJournal
  /** Only this student's events are sent by this page (see README, shared computers). */
  actorId: string
  /** This page's session id: its own open checkpoints are never sealed by its flushes. */
  sessionId: string
  /** Web Lock held while flushing, so two tabs never send the same stored event at once. */
  lockName: string
  retentionMs: number
  maxStoredEvents: number
  maxBatchEvents: number
  maxBatchBytes: number
  report(error: TrackerError): void
  onDelivery(delivery: Delivery): void
}

export interface Flusher {
  /** Flush soon (same task's enqueues are batched), unless waiting out a backoff or paused. */
  soon(): void
  /** Flush now, cutting any backoff short; `resume` also lifts a 401/403 pause. */
  now(resume?: boolean): Promise<void>
  /** Page hidden/unloading: beacon pending events not beaconed since the page was last visible. */
  beacon(): void
  /** The page is visible again. */
  visible(): void
  /** Whether sending is paused by a 401/403. */
  paused(): boolean
  stop(): void
}

export function createFlusher(o: FlusherOptions): Flusher {
  let running: Promise<void> | undefined
  let again = false
  let scheduled = false
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let unauthorized = false
  let stopped = false
  let failureReported = false
  let deadLettersPruned = false
  const beaconed = new Set<string>()

  /** Sets events the proxy refused for good aside, each with its own reasons, and says so. */
  const refuse = async (refused: Array<{ record: JournalRecord; errors: unknown }>, status: number) => {
    if (!refused.length) return
    await o.journal.bury(refused.map(({ record, errors }) => deadLetter(record.id, record.event, JSON.stringify(errors ?? null), status)))
    const eventIds = refused.map(({ record }) => record.id)
    o.report(new TrackerError('event-rejected', `the proxy refused ${eventIds.length} event(s) (${status}) for good; see the dead-letter store`, { eventIds, status, cause: refused.map((r) => r.errors) }))
  }

  /** Corrupt, expired and over-capacity records, before anything is sent. */
  const tidy = async (records: JournalRecord[], corrupt: Array<{ key: string; value: unknown }>) => {
    if (corrupt.length) {
      const letters = corrupt.map(({ key, value }) => deadLetter(key.slice(2) || key, value, 'corrupt record'))
      await o.journal.bury(letters)
      await o.journal.removeKeys(corrupt.map((c) => c.key))
      o.report(new TrackerError('corrupt-record', `${corrupt.length} unreadable stored record(s) set aside in the dead-letter store`, { eventIds: letters.map((l) => l.id) }))
    }
    const oldest = Date.now() - o.retentionMs
    const expired = records.filter((r) => !r.open && r.createdAt < oldest)
    if (expired.length) {
      await o.journal.bury(expired.map((r) => deadLetter(r.id, r.event, 'expired')))
      o.report(new TrackerError('event-expired', `${expired.length} event(s) undeliverable for longer than retentionMs moved to the dead-letter store`, { eventIds: expired.map((r) => r.id) }))
    }
    const live = records.filter((r) => !expired.includes(r))
    const excess = live.length - o.maxStoredEvents
    if (excess > 0) {
      const evicted = live
        .filter((r) => !r.open && r.event.type === 'TimeSpentEvent')
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, excess)
      await o.journal.remove(evicted.map((r) => r.id))
      o.report(new TrackerError('event-evicted', `${evicted.length} oldest TimeSpentEvent(s) dropped: more than maxStoredEvents (${o.maxStoredEvents}) were waiting`, { eventIds: evicted.map((r) => r.id) }))
      return live.filter((r) => !evicted.includes(r))
    }
    return live
  }

  /** Sends one batch, splitting it on 413 (and 400/422 without per-event answers). */
  const send = async (records: JournalRecord[]): Promise<boolean> => {
    const events = records.map((r) => r.event)
    const ids = events.map((e) => e.id)
    const outcome = await postBatch(events, o)
    const delivery: Delivery = { transport: 'fetch', at: Date.now(), ids }
    if (outcome.status !== undefined) delivery.status = outcome.status
    switch (outcome.kind) {
      case 'answered': {
        await o.journal.remove(outcome.done)
        const refused = records.flatMap((record) => outcome.rejected.filter((x) => x.id === record.id).map((x) => ({ record, errors: x.errors })))
        await refuse(refused, outcome.status)
        attempt = 0
        failureReported = false
        o.onDelivery({ ...delivery, done: outcome.done, rejected: refused.map(({ record }) => record.id) })
        // Ids a 2xx did not mention stay stored; back off before asking again.
        return outcome.unanswered.length ? retryLater(delivery, undefined) : true
      }
      case 'refused': {
        if (records.length > 1) {
          o.onDelivery({ ...delivery, error: `split after ${outcome.status}` })
          const half = Math.ceil(records.length / 2)
          return (await send(records.slice(0, half))) && send(records.slice(half))
        }
        await refuse([{ record: records[0]!, errors: outcome.errors }], outcome.status)
        o.onDelivery({ ...delivery, rejected: ids })
        return true
      }
      case 'unauthorized':
        unauthorized = true
        o.report(new TrackerError('unauthorized', `the proxy answered ${outcome.status}; sending is paused until tracker.flush() (nothing is dropped)`, { status: outcome.status, eventIds: ids }))
        o.onDelivery({ ...delivery, error: 'unauthorized' })
        return false
      case 'retry':
        if (outcome.error !== undefined) delivery.error = String(outcome.error)
        return retryLater(delivery, outcome.retryAfterMs, outcome.error)
    }
  }

  const retryLater = (delivery: Delivery, retryAfter?: number, cause?: unknown) => {
    const wait = Math.max(backoffDelay(attempt++), retryAfter ?? 0)
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      void run()
    }, wait)
    if (!failureReported) {
      failureReported = true
      o.report(new TrackerError('delivery-failed', `sending failed${delivery.status ? ` (${delivery.status})` : ''}; retrying with backoff, nothing is dropped`, { eventIds: delivery.ids, cause, ...(delivery.status ? { status: delivery.status } : {}) }))
    }
    o.onDelivery({ ...delivery, retryInMs: wait })
    return false
  }

  /** Dead letters were reported when they were set aside; after retentionMs they go. */
  const pruneDeadLetters = async () => {
    deadLettersPruned = true
    const oldest = Date.now() - o.retentionMs
    const old = (await o.journal.deadLetters()).filter((letter) => letter.at < oldest)
    if (old.length) await o.journal.forget(old.map((letter) => letter.id))
  }

  const flushOnce = () =>
    withLock(o.lockName, async () => {
      if (!deadLettersPruned) await pruneDeadLetters()
      const { records, corrupt } = await o.journal.read()
      const sealed = await sealDeadCheckpoints(o.journal, records, o.sessionId)
      for (const record of records) if (sealed.has(record.id)) delete record.open
      const sendable = (await tidy(records, corrupt))
        .filter((r) => !r.open && r.event.actor.id === o.actorId)
        .sort((a, b) => a.createdAt - b.createdAt)
      for (let i = 0; i < sendable.length && !stopped; ) {
        const batch: JournalRecord[] = []
        let bytes = 0
        for (; i < sendable.length && batch.length < o.maxBatchEvents; i++) {
          const size = JSON.stringify(sendable[i]!.event).length
          if (batch.length && bytes + size > o.maxBatchBytes) break
          batch.push(sendable[i]!)
          bytes += size
        }
        if (!(await send(batch))) return
      }
    })

  const run = (): Promise<void> => {
    if (stopped || unauthorized) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = flushOnce()
      .catch((error) => o.report(new TrackerError('delivery-failed', 'flush failed', { cause: error })))
      .finally(() => {
        running = undefined
        if (again && retryTimer === undefined) {
          again = false
          void run()
        }
        again = false
      })
    return running
  }

  return {
    soon() {
      if (scheduled || retryTimer !== undefined) return
      scheduled = true
      queueMicrotask(() => {
        scheduled = false
        void run()
      })
    },
    async now(resume) {
      if (resume) unauthorized = false
      clearTimeout(retryTimer)
      retryTimer = undefined
      attempt = 0
      await run()
      if (running) await running
    },
    beacon() {
      if (stopped) return
      const events: TimebackEvent[] = o.journal
        .pending()
        .filter((r) => !beaconed.has(r.id) && r.event.actor.id === o.actorId)
        .map((r) => r.event)
      if (!events.length) return
      const ids = sendBeacons(o.endpoint, beaconBodies(o.sensor, events, Date.now()))
      ids.forEach((id) => beaconed.add(id))
      o.onDelivery({ transport: 'beacon', at: Date.now(), ids, ...(ids.length < events.length ? { error: 'beacon quota full' } : {}) })
    },
    visible() {
      beaconed.clear()
      this.soon()
    },
    paused: () => unauthorized,
    stop() {
      stopped = true
      clearTimeout(retryTimer)
      retryTimer = undefined
    },
  }
}
