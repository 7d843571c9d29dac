// The test server answers on two origins: 127.0.0.1 and localhost (different sites to every
// engine). Frames on "the other origin" are cross-origin and cross-site to the test page.
import { waitFor } from './waitFor.js'

export const otherOrigin = () => {
  const url = new URL(location.origin)
  url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
  return url.origin
}

/** Messages from frames, kept in order, so a test can wait for an answer from one of them. */
const inbox: Array<{ origin: string; data: any }> = []
addEventListener('message', (e) => inbox.push({ origin: e.origin, data: e.data }))

export async function nextMessage(test: (data: any) => unknown, what: string): Promise<any> {
  const found = await waitFor(() => {
    const i = inbox.findIndex((m) => test(m.data))
    return i >= 0 && inbox.splice(i, 1)[0]
  }, what, 15_000)
  return found.data
}

/** Opens `path` (with `query`) on the other origin in an iframe; resolves once it says ready. */
export async function openCrossOriginFrame(path: string, query: Record<string, string | number>): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe')
  frame.src = `${otherOrigin()}${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`
  document.body.append(frame)
  await nextMessage((d) => d?.ready === otherOrigin(), `the frame on ${otherOrigin()} to start`)
  return frame
}
