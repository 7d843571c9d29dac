// A stand-in for the app's proxy, mounted on the test server at /collect/<bucket>. It records
// every POST (fetch or beacon), answers with the proxy protocol (deduping by event id, like the
// real proxy), and can be scripted to fail: POST /collect/<bucket>/script with a list of
// answers ({ status, headers?, body? }) used for the next requests, in order.
const buckets = new Map()

const bucket = (name) => {
  if (!buckets.has(name)) buckets.set(name, { requests: [], script: [], accepted: new Set() })
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
  const match = /^\/collect\/([\w-]+)(\/(received|script))?$/.exec(ctx.path)
  if (!match) return next()
  const b = bucket(match[1])
  if (match[3] === 'received') {
    ctx.type = 'application/json'
    ctx.body = JSON.stringify(b.requests)
    return
  }
  if (match[3] === 'script') {
    b.script.push(...JSON.parse(await readBody(ctx.req)))
    ctx.body = '{}'
    return
  }
  if (ctx.method !== 'POST') return next()
  const text = await readBody(ctx.req)
  let envelope
  try {
    envelope = JSON.parse(text)
  } catch {
    envelope = undefined
  }
  const ids = Array.isArray(envelope?.data) ? envelope.data.map((e) => e.id) : []
  const scripted = b.script.shift()
  b.requests.push({ at: Date.now(), contentType: ctx.get('content-type'), bytes: Buffer.byteLength(text), ids, envelope, status: scripted?.status ?? 200 })
  if (scripted && scripted.status !== 200) {
    ctx.status = scripted.status
    for (const [k, v] of Object.entries(scripted.headers ?? {})) ctx.set(k, v)
    ctx.type = 'application/json'
    ctx.body = JSON.stringify(scripted.body ?? { status: 'error' })
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
  ctx.body = JSON.stringify({ status: 'success', accepted, duplicates, rejected })
}
