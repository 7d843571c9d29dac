/** Why the tracker called `onError`. Background work never throws into the app; it reports. */
export type TrackerErrorCode =
  /** IndexedDB or Web Locks refuse (said once each); that feature is done without for this page. */
  | 'storage-unavailable'
  /** IndexedDB works again after a failure: what was kept in memory is stored there again. */
  | 'storage-restored'
  /** The proxy refused an event for good (400/413/422); it is in the dead-letter store. */
  | 'event-rejected'
  /** An event stayed undeliverable longer than `retentionMs`; it is in the dead-letter store. */
  | 'event-expired'
  /** More than `maxStoredEvents` were waiting; the oldest TimeSpentEvents were dropped. */
  | 'event-evicted'
  /** A stored record could not be read (another version, or damaged); it was set aside. */
  | 'corrupt-record'
  /** 401/403, a redirect or a 2xx that is no proxy answer: paused until `flush()` or a reload. */
  | 'unauthorized'
  /** Sending failed (offline, timeout, 5xx, 429); it will be retried with backoff. */
  | 'delivery-failed'
  /** `signOut()` removed events it could not send (offline, or refused for now): they are lost. */
  | 'events-lost'
  /** A `subscribe()` listener threw. (A throwing `headers()` hook is a failed delivery, retried.) */
  | 'callback-failed'

/**
 * What `onError` receives for a problem in background work (storage, delivery, a listener),
 * which never throws into the app. `code` says which; `event-rejected` carries each refused
 * event's reasons in `cause`, in `eventIds` order.
 */
export class TrackerError extends Error {
  /** Which problem this is. */
  readonly code: TrackerErrorCode
  /** Events concerned, where there are any. */
  readonly eventIds: string[]
  /** HTTP status, for delivery errors. */
  readonly status: number | undefined

  constructor(code: TrackerErrorCode, message: string, details: { eventIds?: string[]; status?: number | undefined; cause?: unknown } = {}) {
    super(message, { cause: details.cause })
    this.name = 'TrackerError'
    this.code = code
    this.eventIds = details.eventIds ?? []
    this.status = details.status
  }
}
