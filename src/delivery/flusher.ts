import type { EventJournal } from '../journal/eventJournal.js'
import { CLOCK_ONLY, deadLetter, sealRecord, type JournalRecord } from '../journal/journalRecord.js'
import { sealDeadCheckpoints } from '../journal/sealDeadCheckpoints.js'
import type { PageLocks } from '../journal/webLocks.js'
import { TrackerError } from '../trackerError.js'
import { beaconBodies, sendBeacons } from './beaconBatches.js'
import { createFlushScheduler } from './flushScheduler.js'
import { postBatch, type PostOptions } from './postBatch.js'
import { onServerClock } from './clockEstimate.js'
import { serverOffset } from './serverClock.js'

/** One delivery attempt, for `subscribe()` listeners and the demo. */
export interface Delivery {
  /** A POST with `fetch`, or the hide-time `sendBeacon` (never taken as delivered). */
  transport: 'fetch' | 'beacon'
  /** When the attempt was made, epoch ms. */
  at: number
  /** Events in the attempt. */
  ids: string[]
  /** The proxy's HTTP status, when it answered. */
  status?: number
  /** Acknowledged (accepted or duplicate): removed from the journal. */
  done?: string[]
  /** Refused for good: moved to the dead-letter store. */
  rejected?: string[]
  /** Set when the attempt failed and a retry is scheduled. */
  retryInMs?: number
  /** What went wrong, in words, when the attempt did not fully succeed. */
  error?: string
}

export interface FlusherOptions extends PostOptions {
  journal: EventJournal
  locks: PageLocks
  /**
   * This page's student. Other students' events (a shared computer) go in envelopes of their
   * own, each with that student's delivery token; without one they wait (see docs/delivery.md,
   * shared computers).
   */
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
  /**
   * Flush now, cutting any backoff short (`resume` also lifts a pause). Resolves when everything
   * stored at the moment of the call has been attempted.
   */
  now(resume?: boolean): Promise<void>
  /**
   * Page hidden or (`leaving`) going away, frozen or entering the back/forward cache: beacon
   * pending events not beaconed since the page was last visible; when leaving, start no flush.
   */
  beacon(leaving: boolean): void
  /** The page is visible again (or restored from the back/forward cache). */
  visible(): void
  /** Whether sending is paused (401/403, a redirect, a 2xx that is not a proxy answer). */
  paused(): boolean
  stop(): void
}

export function createFlusher(o: FlusherOptions): Flusher {
  const scheduler = createFlushScheduler(() => flushOnce())
  let failing = false // said once per spell of failures
  let pruned = false // old dead letters go once per page
  let corrects = false // an answer carried serverTime: this proxy corrects dates by sendTime
  let revived = false // dead letters of a wrong clock go back once per page
  let hello = false // this page asked for a delivery token, or was answered with one
  const beaconed = new Set<string>()
  const refusedTokens = new Set<string>() // other students' tokens the proxy refused: not sent again

  /** Sets events the proxy refused for good aside, each with its own reasons, and says so. */
  const refuse = async (refused: Array<{ record: JournalRecord; errors: unknown }>, status: number) => {
    if (!refused.length) return
    await o.journal.bury(refused.map(({ record, errors }) => deadLetter(record.id, record.event, JSON.stringify(errors ?? null), status)))
    const eventIds = refused.map(({ record }) => record.id)
    o.report(new TrackerError('event-rejected', `the proxy refused ${eventIds.length} event(s) (${status}): see deadLetters()`, { eventIds, status, cause: refused.map((r) => r.errors) }))
  }

  /** Corrupt, expired and over-capacity records, before anything is sent. */
  const tidy = async (records: JournalRecord[], corrupt: Array<{ key: string; value: unknown }>) => {
    if (corrupt.length) {
      const letters = corrupt.map(({ key }) => deadLetter(key.slice(2) || key, undefined, 'corrupt record'))
      await o.journal.bury(letters)
      await o.journal.removeKeys(corrupt.map((c) => c.key))
      o.report(new TrackerError('corrupt-record', `${corrupt.length} unreadable record(s): see deadLetters()`, { eventIds: letters.map((l) => l.id) }))
    }
    const oldest = Date.now() - o.retentionMs
    const expired = records.filter((r) => !r.open && r.createdAt < oldest)
    if (expired.length) {
      await o.journal.bury(expired.map((r) => deadLetter(r.id, r.event, 'expired')))
      o.report(new TrackerError('event-expired', `${expired.length} event(s) past retentionMs: see deadLetters()`, { eventIds: expired.map((r) => r.id) }))
    }
    const live = records.filter((r) => !expired.includes(r))
    const excess = live.length - o.maxStoredEvents
    if (excess > 0) {
      const evicted = live
        .filter((r) => !r.open && r.event.type === 'TimeSpentEvent')
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, excess)
      await o.journal.remove(evicted.map((r) => r.id))
      o.report(new TrackerError('event-evicted', `${evicted.length} oldest TimeSpentEvent(s) dropped (over maxStoredEvents)`, { eventIds: evicted.map((r) => r.id) }))
      return live.filter((r) => !evicted.includes(r))
    }
    return live
  }

  /** Backs off, saying why once per spell of failures. Returns false: stop this flush. */
  const failed = (delivery: Delivery, retryAfterMs?: number, cause?: unknown) => {
    if (!failing) {
      failing = true
      const status = delivery.status
      o.report(new TrackerError('delivery-failed', `sending failed (${status ?? String(cause)}); retrying`, { eventIds: delivery.ids, cause, status }))
    }
    o.onDelivery({ ...delivery, retryInMs: scheduler.retry(retryAfterMs) })
    return false
  }

  /**
   * Sends one batch of one student's records with `token` (splitting it on 413); true when the
   * flush may go on. Another student's batch (`theirs`) refused for its token waits: it does
   * not pause this student's sending.
   */
  const send = async (records: JournalRecord[], token?: string, theirs?: boolean): Promise<boolean> => {
    const events = records.map((r) => r.event)
    const ids = events.map((e) => e.id)
    const outcome = await postBatch(events, o, token)
    const delivery: Delivery = { transport: 'fetch', at: Date.now(), ids }
    if (outcome.status !== undefined) delivery.status = outcome.status
    switch (outcome.kind) {
      case 'answered': {
        // Only an answer for this page's own student carries a token that is theirs.
        if (!theirs) keep(outcome.token)
        await o.journal.remove(outcome.done)
        const refused = records.flatMap((record) => outcome.rejected.filter((x) => x.id === record.id).map((x) => ({ record, errors: x.errors })))
        await refuse(refused, outcome.status)
        failing = false
        corrects ||= outcome.corrects
        o.onDelivery({ ...delivery, done: outcome.done, rejected: refused.map(({ record }) => record.id) })
        // Another student's events left unanswered lie outside their token's session: they wait
        // for that student, and hold up neither the others nor this page's own.
        if (!outcome.unanswered.length || theirs) {
          scheduler.succeeded()
          return true
        }
        // Ids the answer did not mention (another request is forwarding them): ask again on
        // the backoff, which a partial answer does not reset, so a slow proxy is not hammered.
        o.onDelivery({ ...delivery, retryInMs: scheduler.retry() })
        return false
      }
      case 'split': {
        if (records.length > 1) {
          o.onDelivery({ ...delivery, error: `split after ${outcome.status}` })
          const half = Math.ceil(records.length / 2)
          return (await send(records.slice(0, half), token, theirs)) && send(records.slice(half), token, theirs)
        }
        await refuse([{ record: records[0]!, errors: 'too large' }], outcome.status)
        o.onDelivery({ ...delivery, rejected: ids })
        return true
      }
      case 'pause':
        o.onDelivery({ ...delivery, error: outcome.why })
        // A token refused stays refused: not sent again from this page.
        if (theirs) return !!refusedTokens.add(token!)
        scheduler.pause()
        o.report(new TrackerError('unauthorized', `${outcome.why}; paused until flush()`, { status: outcome.status, eventIds: ids }))
        return false
      case 'retry':
        if (outcome.error !== undefined) delivery.error = String(outcome.error)
        return failed(delivery, outcome.retryAfterMs, outcome.error)
    }
  }

  /**
   * Keeps a token this page's student was answered with (the records written from now carry it),
   * if it is theirs: a session that has moved on to another student answers with that one's.
   */
  const keep = (token: unknown) => {
    try {
      const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob((token as string).split('.')[2]!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))))
      if (claims.sub === o.actorId) o.journal.token = token as string
    } catch {
      // Not a token of ours: nothing to keep.
    }
  }

  /** Dead letters were reported when they were set aside; after retentionMs they go. */
  const pruneDeadLetters = async () => {
    pruned = true
    const oldest = Date.now() - o.retentionMs
    const old = (await o.journal.deadLetters()).filter((letter) => letter.at < oldest)
    if (old.length) await o.journal.forget(old.map((letter) => letter.id))
  }

  /**
   * Events a proxy refused for their dates alone (a device clock set wrong, before the proxy
   * put dates right by `sendTime`) go back to the journal once this proxy is seen to do that.
   * Their `sendTime` is the device's clock now, which puts them right if that clock is as wrong
   * as when they were dated. Refused again, they stay: the new reasons do not match CLOCK_ONLY.
   */
  const reviveClockLetters = async () => {
    revived = true
    const records = (await o.journal.deadLetters())
      .filter((letter) => CLOCK_ONLY.test(letter.reason))
      .map((l): JournalRecord => ({ v: 1, id: l.id, event: l.event as JournalRecord['event'], createdAt: l.at }))
    if (!records.length) return
    await o.journal.put(records)
    await o.journal.forget(records.map((r) => r.id))
  }

  const flushOnce = () =>
    o.locks
      .exclusive(o.lockName, async () => {
        if (!pruned) await pruneDeadLetters()
        if (!revived && corrects) await reviveClockLetters()
        const { records, corrupt } = await o.journal.read()
        const sealed = await sealDeadCheckpoints(o.journal, records, o.sessionId)
        for (const record of records) if (sealed.has(record.id)) sealRecord(record)
        const sendable = (await tidy(records, corrupt)).filter((r) => !r.open).sort((a, b) => a.createdAt - b.createdAt)
        // One envelope per student, this page's own first; another student's records by the
        // token they were written with (each covers its own session), none without one.
        const students: Record<string, JournalRecord[]> = { [o.actorId]: [] }
        for (const r of sendable) {
          const theirs = r.event.actor.id !== o.actorId
          if (!theirs || (r.token && !refusedTokens.has(r.token))) (students[theirs ? `${r.event.actor.id} ${r.token}` : o.actorId] ??= []).push(r)
        }
        for (const student in students) {
          const their = students[student]!
          const theirs = student !== o.actorId
          // Theirs: the token of the group; this page's own: the one it was last answered with.
          let token = their[0]?.token
          if (!theirs) {
            for (const r of their) token = r.token ?? token
            token = o.journal.token ??= token
          }
          if (!their.length && !hello) {
            // Nothing to send yet: ask for this student's token now, while the network is up.
            const answer = await postBatch([], o, token)
            hello = !!answer.status
            // The signed-in student's token: this page's student's, as it runs for whoever signed in.
            keep(answer.token)
          }
          for (let i = 0; i < their.length; ) {
            const batch: JournalRecord[] = []
            let bytes = 0
            for (; i < their.length && batch.length < o.maxBatchEvents; i++) {
              const size = JSON.stringify(their[i]!.event).length
              if (batch.length && bytes + size > o.maxBatchBytes) break
              batch.push(their[i]!)
              bytes += size
            }
            if (!(await send(batch, token, theirs))) return
          }
        }
      })
      // A step that failed or missed its deadline: back off like a failed request.
      .catch((error) => void failed({ transport: 'fetch', at: Date.now(), ids: [], error: String(error) }, 0, error))

  return {
    soon: scheduler.soon,
    now: scheduler.now,
    beacon(leaving) {
      scheduler.suspend(leaving)
      const events = o.journal
        .pending()
        .filter((r) => !beaconed.has(r.id) && r.event.actor.id === o.actorId)
        .map((r) => r.event)
      if (!events.length) return
      const offset = serverOffset(o.clockKey) // as for a batch: dates and sendTime on the server's clock
      const ids = sendBeacons(o.endpoint, beaconBodies(o.sensor, onServerClock(events, offset), Date.now() + offset, o.journal.token))
      ids.forEach((id) => beaconed.add(id))
      o.onDelivery({ transport: 'beacon', at: Date.now(), ids, ...(ids.length < events.length ? { error: 'beacon quota full' } : {}) })
    },
    visible() {
      scheduler.suspend(false)
      beaconed.clear()
      scheduler.soon()
    },
    paused: () => scheduler.paused,
    stop: scheduler.stop,
  }
}
