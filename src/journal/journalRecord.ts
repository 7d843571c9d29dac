import type { TimebackEvent } from '../events/eventTypes.js'

/**
 * Bumped when the stored shape changes. Records of a newer version (a deploy while an old tab
 * is open) are left alone for the newer code; only unreadable ones are set aside as corrupt.
 */
export const JOURNAL_FORMAT = 1

/** One event waiting for the proxy's acknowledgement. Stored under `e:<id>`. */
export interface JournalRecord {
  v: typeof JOURNAL_FORMAT
  id: string
  event: TimebackEvent
  /** When it was first stored (epoch ms); retention counts from here. */
  createdAt: number
  /**
   * Present while the record is a checkpoint of a slice still being measured by a live page:
   * never sent. `lock` is the Web Lock that page holds; when it is free the page is gone and
   * any page may seal the checkpoint into a sendable event (same id, so recovery is idempotent).
   */
  open?: { owner: string; lock: string; at: number }
}

/** An event the proxy refused for good, or one that could not be kept. Stored under `d:<id>`. */
export interface DeadLetter {
  v: typeof JOURNAL_FORMAT
  id: string
  event: unknown
  reason: string
  status?: number
  at: number
}

/** A dead letter for `event`, set aside now. */
export function deadLetter(id: string, event: unknown, reason: string, status?: number): DeadLetter {
  const letter: DeadLetter = { v: JOURNAL_FORMAT, id, event, reason, at: Date.now() }
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
    r.v === JOURNAL_FORMAT &&
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
