import { validateEnvelopeShell } from '../../events/validateEnvelope.js'
import type { FieldIssue } from '../../events/validationError.js'
import { BodyTooLargeError, ClientGoneError, readLimitedBody } from './readLimitedBody.js'

const MAX_EVENTS = 1000

export interface EnvelopeShell {
  sensor: string
  sendTime?: string
  data: unknown[]
  /** A student's delivery token, with which another student's events may be delivered. */
  deliveryToken?: unknown
}

/** Why a body is not an envelope the proxy takes: the answer's status and message. */
export interface BodyRefusal {
  status: number
  message: string
  issues?: FieldIssue[]
  /** The client went away: worth a line in the log, not an error. */
  clientGone?: boolean
}

/**
 * The request's body as an envelope (its events not yet checked), or why not: too large, cut
 * short, not JSON, not an envelope, too many events. Read with the server adapter's `readBody`
 * when it has one. An envelope without events is one too (a page's first exchange: it asks
 * for the server's clock and, with delivery tokens, the student's token), its other fields
 * checked as any envelope's.
 */
export async function readEnvelope(
  request: Request,
  readBody: (() => Promise<string>) | undefined,
  maxBodyBytes: number,
): Promise<{ envelope: EnvelopeShell } | { refusal: BodyRefusal }> {
  let text: string
  try {
    text = readBody ? await readBody() : await readLimitedBody(request, maxBodyBytes)
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { refusal: { status: 413, message: `body larger than ${maxBodyBytes} bytes; send fewer events per request` } }
    if (error instanceof ClientGoneError) return { refusal: { status: 400, message: 'request body incomplete', clientGone: true } }
    throw error
  }
  let parsed: { data?: unknown; deliveryToken?: unknown } | null
  try {
    parsed = JSON.parse(text)
  } catch {
    return { refusal: { status: 400, message: 'body is not JSON' } }
  }
  const hello = Array.isArray(parsed?.data) && !parsed.data.length
  const shell = validateEnvelopeShell(hello ? { ...parsed, data: [null] } : parsed)
  if (!shell.ok) return { refusal: { status: 400, message: 'invalid envelope', issues: shell.issues.slice(0, 10) } }
  if (shell.value.data.length > MAX_EVENTS) return { refusal: { status: 413, message: `at most ${MAX_EVENTS} events per request` } }
  const { sensor, sendTime } = shell.value
  return {
    envelope: {
      sensor,
      ...(sendTime === undefined ? {} : { sendTime }),
      data: hello ? [] : shell.value.data,
      ...(parsed?.deliveryToken === undefined ? {} : { deliveryToken: parsed.deliveryToken }),
    },
  }
}
