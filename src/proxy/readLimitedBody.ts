/** Thrown when a body is larger than allowed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
}

/** Thrown when the client went away (aborted, connection reset) before its body arrived. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError'
}

/**
 * Readers a server adapter offers for its requests' bodies (Node's own stream, without a web
 * stream over it); `readLimitedBody` uses one when there is one. Too large or cut short: the
 * reader resolves with the error to throw.
 */
const bodyReaders = new WeakMap<Request, () => Promise<string | Error>>()

/** Offers `read` as the way to read `request`'s body. */
export function setBodyReader(request: Request, read: () => Promise<string | Error>): void {
  bodyReaders.set(request, read)
}

/**
 * Reads a request body as text, refusing (before reading it all) one longer than `maxBytes`:
 * by `Content-Length` when given, and by counting while streaming otherwise.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<string> {
  const offered = bodyReaders.get(request)
  if (offered) {
    const body = await offered()
    if (body instanceof Error) throw body
    return body
  }
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(`body of ${declared} bytes`)
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let read: Awaited<ReturnType<typeof reader.read>>
    try {
      read = await reader.read()
    } catch (error) {
      throw new ClientGoneError(`body stream failed (${(error as Error).name})`)
    }
    if (read.done) break
    size += read.value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new BodyTooLargeError(`body over ${maxBytes} bytes`)
    }
    chunks.push(read.value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
