/** Thrown when a body is larger than allowed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
}

/** Thrown when the client went away (aborted, connection reset) before its body arrived. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError'
}

/**
 * Reads a request body as text, refusing (before reading it all) one longer than `maxBytes`:
 * by `Content-Length` when given, and by counting while streaming otherwise.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<string> {
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
  const body = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    body.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(body)
}
