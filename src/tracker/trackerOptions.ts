import * as z from 'zod/mini'
import { strictObject } from '../events/strictObject.js'
import { actorInput, appInput, type TimebackActor, type TimebackApp } from '../events/contextSchemas.js'
import { name, oneOf, passing, text, wholeAtLeast } from '../events/fieldSchemas.js'
import { parseOrThrow } from '../events/parse.js'
import { TimebackValidationError } from '../events/validationError.js'
import { isHttpUrl } from '../events/uri.js'
import type { TrackerError } from '../trackerError.js'

/** Options of `createTracker`. Only `endpoint`, `app` and `actor` are required. */
export interface TrackerOptions {
  /** Your backend proxy's URL (absolute, or relative to the page), e.g. `/api/caliper`. */
  endpoint: string
  /** The app reporting the events; `name` is required by the platform. */
  app: TimebackApp
  /** The signed-in student. `id` is their OneRoster user URL (or your app's user URL). */
  actor: TimebackActor
  /** The envelope's `sensor`: your app's URL. Default: the page's origin. */
  sensor?: string
  /** Visible and focused with no input for this long counts as inactive (idle). Default 60 000. */
  idleTimeoutMs?: number
  /** A hidden tab counts as inactive this long, then as abandoned (not counted). Default 600 000. */
  hiddenTimeoutMs?: number
  /**
   * Playing media with no input counts as active this long, or for the media's duration if
   * longer (once: a loop does not restart it); then inactive (`media-unattended`). Default 1 200 000.
   */
  mediaIdleTimeoutMs?: number
  /** A running activity reports a TimeSpentEvent at least this often while visible. Default 60 000. */
  sliceMs?: number
  /** Credited time is checkpointed to IndexedDB within this long; a crash loses at most this. Default 5 000. */
  checkpointMs?: number
  /** A timer firing later than this means the device slept: that stretch is unknown. Default 15 000. */
  clockGapToleranceMs?: number
  /** Extra request headers for each POST (e.g. a CSRF token). Beacons cannot carry headers. */
  headers?: () => HeadersInit | Promise<HeadersInit>
  /** `fetch` credentials mode. Default `'same-origin'` (cookies go to your own proxy). */
  credentials?: RequestCredentials
  /** Called for background problems (storage, delivery); never throws into your app. Default: console.warn. */
  onError?: (error: TrackerError) => void
  /** IndexedDB database name; one tracker per name per page. Default `'timeback-tracker'`. */
  storeName?: string
  /** At most this many events wait in storage; past it the oldest TimeSpentEvents are dropped. Default 5 000. */
  maxStoredEvents?: number
  /** Undeliverable events older than this go to the dead-letter store. Default 30 days. */
  retentionMs?: number
  /** A request is abandoned (and retried) after this long. Default 30 000. */
  requestTimeoutMs?: number
  /**
   * Origins of cross-origin iframes whose input reports (`timeback-tracker/frame`) count as input
   * on this page, e.g. `['https://tool.example']`. Reports from other origins are ignored.
   */
  frameOrigins?: string[]
  /**
   * Where to store events and take Web Locks instead of the page's `indexedDB` and
   * `navigator.locks`: in a cross-site iframe in Chromium, the handle of
   * `document.requestStorageAccess({ cookies: true, indexedDB: true, locks: true })` (its own
   * first-party storage, which the frame gets only this way). A handle throws when a member it
   * was not asked for is read: asked for one only, pass that one. Default: the page's own.
   */
  storage?: TrackerStorage
}

/** What `storage` takes: a Storage Access handle, or either of its members. */
export interface TrackerStorage {
  /** Opens the tracker's database instead of the page's `indexedDB`. */
  indexedDB?: IDBFactory
  /** Takes the flush and media locks instead of the page's `navigator.locks`. */
  locks?: LockManager
}

export type ResolvedTrackerOptions = Required<Omit<TrackerOptions, 'headers' | 'onError' | 'storage'>> &
  Pick<TrackerOptions, 'headers' | 'storage'> & { onError: (error: TrackerError) => void }

const atLeast = (min: number) => z.optional(wholeAtLeast(min, 'ms'))

const callback = /* @__PURE__ */ z.optional(passing<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function'))

/** Absent, or an object with the method `method` (an IDBFactory's `open`, a LockManager's `request`). */
const member = (value: unknown, method: string) => value === undefined || typeof (value as Record<string, unknown> | null)?.[method] === 'function'

const isEndpoint = (value: string) => {
  try {
    return /^https?:$/.test(new URL(value, location.href).protocol)
  } catch {
    return false
  }
}

const optionsSchema = /* @__PURE__ */ strictObject({
  endpoint: text(z.refine(isEndpoint, 'must be an http(s) URL (absolute or relative)')),
  app: appInput,
  actor: actorInput,
  sensor: z.optional(text(z.refine(isHttpUrl, 'must be an absolute http(s) URL (your app)'))),
  idleTimeoutMs: atLeast(1000),
  hiddenTimeoutMs: atLeast(1000),
  mediaIdleTimeoutMs: atLeast(1000),
  sliceMs: atLeast(1000),
  checkpointMs: atLeast(100),
  clockGapToleranceMs: atLeast(1000),
  headers: callback,
  credentials: z.optional(oneOf(['omit', 'same-origin', 'include'])),
  onError: callback,
  storeName: z.optional(name),
  maxStoredEvents: z.optional(wholeAtLeast(1)),
  retentionMs: atLeast(60_000),
  requestTimeoutMs: atLeast(1000),
  // Exactly origins: no path, no trailing slash. (Parsed against the page, a URL never throws.)
  frameOrigins: z.optional(
    passing<string[]>(
      (v) => Array.isArray(v) && v.every((o) => new URL(o, location.href).origin === o),
      'must be origins like https://tool.example',
    ),
  ),
  storage: z.optional(
    passing<TrackerStorage>(
      (v) => v instanceof Object && member((v as TrackerStorage).indexedDB, 'open') && member((v as TrackerStorage).locks, 'request'),
      'must be { indexedDB?, locks? }',
    ),
  ),
})

const warnOnce = new Set<string>()
const consoleWarn = (error: TrackerError) => {
  if (warnOnce.has(error.code)) return
  warnOnce.add(error.code)
  console.warn(`[timeback-tracker] ${error.code}: ${error.message}`)
}

/** Validates `createTracker` options (throws naming every bad field) and fills in defaults. */
export function resolveTrackerOptions(options: TrackerOptions): ResolvedTrackerOptions {
  const valid = parseOrThrow(optionsSchema, options, 'createTracker')
  if (valid.sensor === undefined && !isHttpUrl(location.origin)) {
    throw new TimebackValidationError('createTracker', [{ path: 'sensor', message: 'is required when the page is not served over http(s)' }])
  }
  const given = Object.fromEntries(Object.entries(valid).filter(([, v]) => v !== undefined))
  return {
    sensor: location.origin,
    idleTimeoutMs: 60_000,
    hiddenTimeoutMs: 600_000,
    mediaIdleTimeoutMs: 1_200_000,
    sliceMs: 60_000,
    checkpointMs: 5_000,
    clockGapToleranceMs: 15_000,
    credentials: 'same-origin',
    storeName: 'timeback-tracker',
    maxStoredEvents: 5_000,
    retentionMs: 30 * 24 * 3_600_000,
    requestTimeoutMs: 30_000,
    frameOrigins: [] as string[],
    ...given,
    endpoint: new URL(valid.endpoint, location.href).href,
    onError: valid.onError ?? consoleWarn,
  } as ResolvedTrackerOptions
}
