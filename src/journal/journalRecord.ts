import type { TimebackEvent } from '../events/eventTypes.js'

/**
 * The newest stored shape this code reads. Records of a newer version (a deploy while an old tab
 * is open) are left alone for the newer code; only unreadable ones are set aside as corrupt.
 * 2: a checkpoint's liveness is a promise (`open.until`), not a lock; a tab of version 1 would
 * find no lock held and seal every live checkpoint at once. So only open checkpoints are written
 * as 2; every other record, and a checkpoint once sealed, as 1, which every version reads and
 * sends (a rollback of the app strands nothing).
 */
export const JOURNAL_FORMAT = 2

/** One event waiting for the proxy's acknowledgement. Stored under `e:<id>`. */
export interface JournalRecord {
  v: 1 | 2
  id: string
  event: TimebackEvent
  /** When it was first stored (epoch ms); retention counts from here. */
  createdAt: number
  /**
   * Present while the record is a checkpoint of a slice still being measured by a live page:
   * never sent. The page (session `owner`) wrote it at `at` and promises to write the slice again
   * by `until`; once that has passed the page is taken for gone (crashed, killed, discarded) and
   * any page may seal the checkpoint into a sendable event (same id, so recovery is idempotent).
   * No Web Lock tells liveness: Firefox keeps no page that holds one in its back/forward cache.
   */
  open?: { owner: string; at: number; until?: number }
  /**
   * The student's latest delivery token when the record was written: another student's tracker
   * sends the record with the newest one among that student's records (a shared computer).
   */
  token?: string | undefined
}

/** Turns an open checkpoint into a sendable record, of the format every version reads. */
export function sealRecord(record: JournalRecord): void {
  delete record.open
  record.v = 1
}

/** Checkpoints of older versions carry no `until`: their pages held a lock, and wrote within this. */
const STALE_CHECKPOINT_MS = 5 * 60_000

/** Whether the page that wrote checkpoint `open` broke its promise to write again by `now`. */
export const lapsed = (open: NonNullable<JournalRecord['open']>, now: number) => now > (open.until ?? open.at + STALE_CHECKPOINT_MS)

/**
 * An event the proxy refused for good, or one that could not be kept. Stored under `d:<id>`.
 * It keeps what a person needs to see why, not the event: on a shared computer it would be
 * readable by the next student. Only an event refused for its dates alone (`CLOCK_ONLY`) is kept
 * whole, as it is sent again once the proxy puts dates right (see the flusher).
 */
export interface DeadLetter {
  v: 1
  id: string
  /** The event's type and student, when it was an event at all (not a corrupt record). */
  type?: string
  actor?: string
  reason: string
  status?: number
  at: number
  event?: unknown
}

/**
 * A dead letter's reasons that are all the proxy's clock checks, as a proxy that did not
 * correct dates by `sendTime` words them (one that does adds what they are relative to).
 */
export const CLOCK_ONLY = /^\[(\{"path":"[^"]*","message":"is (in the future|older than the retention period)"\},?)+\]$/

/** A dead letter for `event` (a stored event, or undefined for a corrupt record), set aside now. */
export function deadLetter(id: string, event: TimebackEvent | undefined, reason: string, status?: number): DeadLetter {
  const letter: DeadLetter = { v: 1, id, reason, at: Date.now() }
  if (event) {
    letter.type = event.type
    letter.actor = event.actor.id
    if (CLOCK_ONLY.test(reason)) letter.event = event
  }
  if (status !== undefined) letter.status = status
  return letter
}

export const eventKey = (id: string) => `e:${id}`
export const deadKey = (id: string) => `d:${id}`

/** A cheap structural check of what came back from storage (it may be from an old build). */
export function isJournalRecord(value: unknown): value is JournalRecord {
  const r = value as JournalRecord
  return (
    !!r &&
    (r.v === 1 || r.v === 2) &&
    typeof r.id === 'string' &&
    typeof r.createdAt === 'number' &&
    !!r.event &&
    r.event.id === r.id &&
    (r.event.type === 'TimeSpentEvent' || r.event.type === 'ActivityEvent') &&
    typeof r.event.actor?.id === 'string'
  )
}

/** A record stored by a newer version of the library (the old code must leave it be). */
export const isNewerRecord = (value: unknown) => ((value as JournalRecord | null)?.v ?? 0) > JOURNAL_FORMAT
