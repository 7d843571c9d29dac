/**
 * An answer the proxy makes itself: a JSON body as text, so a server adapter can write it as it
 * is (no stream over it), and the fetch-standard handler makes a `Response` of it.
 */
export interface PlainAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** What the proxy answers a request with: its own JSON, or the `Response` of `authorize`. */
export type ProxyAnswerOf = PlainAnswer | Response

export const jsonAnswer = (status: number, body: object, headers: Record<string, string> = {}): PlainAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
})

export const errorBody = (message: string, errors?: unknown) => ({ status: 'error', message, ...(errors === undefined ? {} : { errors }) })

export const toResponse = (answer: ProxyAnswerOf): Response =>
  answer instanceof Response ? answer : new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers })
