// A stand-in for the app's proxy, mounted on the test server at /collect/<bucket>. It records
// every POST (fetch or beacon), answers with the proxy protocol (deduping by event id, like the
// real proxy), and can be told to misbehave:
// - POST /collect/<bucket>/script [{ status, headers?, body?, reject?, delayMs? }]: answers for
//   the next requests, in order;
// - POST /collect/<bucket>/rules [{ status, containsId?, maxEvents?, contentType? }]: answer
//   `status` to every request that carries that event id / has more than maxEvents events / has
//   that content type (no condition: every request); [{ delayMs }]: hold every answer that
//   long; [{ unanswered: true }]: answer 200 without mentioning any id (the proxy is still
//   forwarding them elsewhere). DELETE /collect/<bucket>/rules drops them.
// A scripted answer with `serverTime: true` carries the collector's clock, as the reference proxy's do;
// one with `deliveryToken` carries that token, as the proxy's answers for the signed-in student do;
// answers carry no Date header unless scripted in `headers`.
// An envelope without events (a tracker asking for its delivery token) gets an empty proxy
// answer and is not recorded, so scripts, rules and counts concern events only.
// An answer's `body` may be a string (sent as text/html: a sign-in page, a CDN's error page);
// a 200 with a `body` is sent as given instead of the proxy protocol.
const buckets = new Map()

const bucket = (name) => {
  if (!buckets.has(name)) buckets.set(name, { requests: [], script: [], rules: [], accepted: new Set() })
  return buckets.get(name)
}

const readBody = (req) =>
  new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (data += chunk))
    req.on('end', () => resolve(data))
    req.on('error', reject)
  })

export async function collectorMiddleware(ctx, next) {
  const match = /^\/collect\/([\w-]+)(\/(received|script|rules))?$/.exec(ctx.path)
  if (!match) return next()
  const b = bucket(match[1])
  if (match[3] === 'received') {
    ctx.type = 'application/json'
    ctx.body = JSON.stringify(b.requests)
    return
  }
  if (match[3] === 'rules' && ctx.method === 'DELETE') {
    b.rules = []
    ctx.body = '{}'
    return
  }
  if (match[3] === 'script' || match[3] === 'rules') {
    b[match[3]].push(...JSON.parse(await readBody(ctx.req)))
    ctx.body = '{}'
    return
  }
  if (ctx.method !== 'POST') return next()
  // No Date header unless scripted: the pages here run on fake clocks, and the tracker learns
  // the server's time from an answer's Date header when it has no serverTime.
  ctx.res.sendDate = false
  const text = await readBody(ctx.req)
  let envelope
  try {
    envelope = JSON.parse(text)
  } catch {
    envelope = undefined
  }
  const ids = Array.isArray(envelope?.data) ? envelope.data.map((e) => e.id) : []
  if (envelope?.data?.length === 0) {
    ctx.type = 'application/json'
    ctx.body = JSON.stringify({ status: 'success', accepted: [], duplicates: [], rejected: [] })
    return
  }
  const contentType = ctx.get('content-type')
  const ruled = b.rules.find(
    (r) =>
      (r.status || r.unanswered) &&
      (!r.containsId || ids.includes(r.containsId)) &&
      (!r.maxEvents || ids.length > r.maxEvents) &&
      (!r.contentType || contentType.startsWith(r.contentType)),
  )
  const scripted = ruled ?? b.script.shift()
  const delayMs = Math.max(scripted?.delayMs ?? 0, ...b.rules.map((r) => r.delayMs ?? 0))
  const request = { at: Date.now(), contentType, csrfToken: ctx.get('x-csrf-token') || undefined, cookie: ctx.get('cookie') || undefined, bytes: Buffer.byteLength(text), ids, envelope, status: scripted?.status ?? 200 }
  b.requests.push(request)
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
  request.answeredAt = Date.now()
  if (scripted?.status && (scripted.status !== 200 || scripted.body !== undefined)) {
    ctx.status = scripted.status
    for (const [k, v] of Object.entries(scripted.headers ?? {})) ctx.set(k, v)
    const html = typeof scripted.body === 'string'
    ctx.type = html ? 'text/html' : 'application/json'
    ctx.body = html ? scripted.body : JSON.stringify(scripted.body ?? { status: 'error' })
    return
  }
  if (scripted?.unanswered) {
    ctx.type = 'application/json'
    ctx.body = JSON.stringify({ status: 'success', accepted: [], duplicates: [], rejected: [] })
    return
  }
  const rejectIds = new Set(scripted?.reject ?? [])
  const accepted = []
  const duplicates = []
  const rejected = []
  for (const id of ids) {
    if (rejectIds.has(id)) rejected.push({ id, errors: ['refused by test'] })
    else if (b.accepted.has(id)) duplicates.push(id)
    else {
      b.accepted.add(id)
      accepted.push(id)
    }
  }
  ctx.type = 'application/json'
  ctx.body = JSON.stringify({ status: 'success', accepted, duplicates, rejected, ...(scripted?.serverTime ? { serverTime: Date.now() } : {}), ...(scripted?.deliveryToken ? { deliveryToken: scripted.deliveryToken } : {}) })
}
