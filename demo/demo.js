// The QA demo page. It uses the tracker exactly as a learning app loading it with a <script>
// tag would (window.TimebackTracker), and shows everything it does. Event data is only ever
// written with textContent, never as HTML.
'use strict'
;(() => {
  const { createTracker, SUBJECTS } = window.TimebackTracker
  const $ = (id) => document.getElementById(id)
  const BUCKETS = ['active', 'inactive', 'unknown', 'waste', 'anti-pattern', 'not-counted']
  const LABELS = { active: 'Active', inactive: 'Inactive', unknown: 'Unknown', waste: 'Waste', 'anti-pattern': 'Anti-pattern', 'not-counted': 'Not counted' }

  /** Builds an element; children are nodes or text (never parsed as HTML). */
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(props)) {
      if (key === 'class') node.className = value
      else if (key === 'dataset') Object.assign(node.dataset, value)
      else if (key === 'style') Object.assign(node.style, value) // CSSOM: allowed under style-src 'self'
      else node.setAttribute(key, value)
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)))
    return node
  }
  const clock = (ms) => {
    const s = Math.floor(ms / 1000)
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
  }
  const time = (ms) => new Date(ms).toLocaleTimeString()
  const short = (id) => String(id).replace(/^urn:uuid:/, '').slice(0, 8)

  let session
  let tracker
  let trackerIdleSeconds // the idle timeout the current tracker was made with
  let activity
  let completion // ids of the last completion, to say when they are delivered
  let fault = 'none' // the proxy fault the server is playing (it outlives page loads)
  const deliveries = []
  const errors = []

  // ----- tracker lifecycle -------------------------------------------------------------------

  const idleSeconds = () => Math.max(1, Math.round(Number(new FormData($('activity-form')).get('idleTimeout')) || 60))

  async function makeTracker() {
    if (tracker) await tracker.destroy()
    trackerIdleSeconds = idleSeconds()
    tracker = createTracker({
      endpoint: '/api/caliper',
      app: session.app,
      actor: { id: session.student.id, email: session.student.email, name: session.student.name, role: 'student' },
      idleTimeoutMs: trackerIdleSeconds * 1000,
      onError(error) {
        errors.unshift({ at: Date.now(), code: error.code, message: error.message })
        renderErrors()
      },
    })
    tracker.subscribe((snapshot) => {
      if (snapshot.lastDelivery && deliveries[0] !== snapshot.lastDelivery) {
        const done = snapshot.lastDelivery.done || []
        if (completion && completion.every((id) => done.includes(id))) {
          $('complete-note').textContent = `Completed: ${completion.length} event(s) delivered`
          completion = undefined
        }
        deliveries.unshift(snapshot.lastDelivery)
        deliveries.length = Math.min(deliveries.length, 50)
        renderDeliveries()
        void refreshReceived()
      }
      renderNow()
      void renderQueue()
    })
    renderNow()
    void renderQueue()
  }

  function activityTarget() {
    const form = new FormData($('activity-form'))
    const target = { id: String(form.get('id')), subject: String(form.get('subject')) }
    if (form.get('activityName')) target.activity = { name: String(form.get('activityName')) }
    if (form.get('courseId') || form.get('courseName')) target.course = { id: String(form.get('courseId')), name: String(form.get('courseName')) }
    return target
  }

  /** Runs an action, showing a validation error (which names every bad field) instead of throwing. */
  function attempt(noteId, action) {
    const note = $(noteId)
    note.className = 'note'
    note.textContent = ''
    try {
      return action()
    } catch (error) {
      note.className = 'note error'
      note.textContent = error.message
      return undefined
    }
  }

  // ----- rendering ---------------------------------------------------------------------------

  function renderNow() {
    const snap = tracker && tracker.snapshot()
    $('storage').textContent = snap ? snap.queue.storage : '–'
    $('queue-count').textContent = snap ? String(snap.queue.pending) + (snap.queue.paused ? ' (paused: 401/403)' : '') : '0'
    $('network').textContent = !navigator.onLine ? 'offline' : fault === 'offline' ? 'online, proxy unreachable (fault)' : 'online'
    const state = $('state')
    const current = snap && snap.activity
    // #state is a live region: change its text only when the state changes, so it is announced once.
    const stateText = !current
      ? activity ? `Activity ${activity.status}` : 'No activity running'
      : `${LABELS[current.state.bucket]}: ${current.state.reason}${current.state.subType ? ` (${current.state.subType})` : ''}`
    if (state.textContent !== stateText) state.textContent = stateText
    state.dataset.bucket = current ? current.state.bucket : 'none'
    $('since').textContent = current ? `since ${time(current.state.since)} · elapsed ${clock(current.elapsed)}` : ''
    const totals = current ? current.totals : activity ? activity.totals : undefined
    $('totals').replaceChildren(
      ...BUCKETS.map((bucket) =>
        el('tr', { dataset: { bucket } }, el('td', {}, el('span', { class: `swatch bucket-${bucket}` }), LABELS[bucket]), el('td', { 'data-testid': `total-${bucket}` }, clock(totals ? totals[bucket] : 0))),
      ),
    )
    // Closed stretches, then the running one (from the activity's start when none has closed yet).
    const stretches = activity ? activity.timeline() : []
    const openFrom = stretches.length ? stretches[stretches.length - 1].end : Date.now() - (current ? current.elapsed : 0)
    const span = (bucket, ms, title) => el('span', { class: `bucket-${bucket}`, style: { flexGrow: String(Math.max(1, ms)) }, title })
    $('timeline').replaceChildren(
      ...stretches.map((s) => span(s.bucket, s.end - s.start, `${s.bucket} (${s.reason}) ${clock(s.end - s.start)}`)),
      ...(current ? [span(current.state.bucket, Date.now() - openFrom, `${current.state.bucket} (${current.state.reason}), running`)] : []),
    )
    for (const id of ['end', 'complete', 'mark-waste', 'mark-anti', 'unmark']) $(id).disabled = !current
    const paused = !!current && current.state.reason === 'paused'
    $('pause').disabled = !current || paused
    $('resume').disabled = !paused
  }

  async function renderQueue() {
    if (!tracker) return
    const queue = await tracker.queue()
    $('queue').replaceChildren(
      ...queue.map((r) =>
        el('li', {}, el('span', { class: `tag ${r.open ? 'wait' : ''}` }, r.open ? 'open checkpoint' : 'waiting'), `${r.type} ${short(r.id)} · stored ${time(r.createdAt)} · `, summarize(r.event)),
      ),
    )
  }

  function summarize(event) {
    const items = event && event.generated && event.generated.items
    return items ? items.map((i) => `${i.type}${i.subType ? `:${i.subType}` : ''}=${i.value}`).join(' ') : ''
  }

  function renderDeliveries() {
    $('deliveries').replaceChildren(
      ...deliveries.map((d) => {
        const ok = d.status && d.status < 300
        const tag = d.transport === 'beacon' ? 'beacon' : `${d.transport} ${d.status || 'network error'}`
        const detail = [
          `${d.ids.length} event(s)`,
          d.done && d.done.length ? `${d.done.length} acknowledged` : '',
          d.rejected && d.rejected.length ? `${d.rejected.length} rejected` : '',
          d.retryInMs !== undefined ? `retry in ${(d.retryInMs / 1000).toFixed(1)} s` : '',
          d.error || '',
        ].filter(Boolean)
        return el('li', {}, el('span', { class: `tag ${d.transport === 'beacon' ? 'wait' : ok ? 'ok' : 'bad'}` }, tag), `${time(d.at)} · ${detail.join(' · ')} · ${d.ids.map(short).join(', ')}`)
      }),
    )
    $('deliveries-count').textContent = `(${deliveries.length}, newest first)`
  }

  function renderErrors() {
    $('errors').replaceChildren(...errors.map((e) => el('li', {}, el('span', { class: 'tag bad' }, e.code), `${time(e.at)} · ${e.message}`)))
  }

  // The mock keeps what it received since the server started, across page loads: envelopes it
  // had before this page loaded are marked as earlier.
  let receivedCount = -1
  let earlierEnvelopes
  async function refreshReceived() {
    const response = await fetch('/mock-caliper/received').catch(() => undefined)
    if (!response || !response.ok) return
    const received = await response.json()
    if (received.length === receivedCount) return
    receivedCount = received.length
    earlierEnvelopes ??= received.length
    const events = received.flatMap((r, i) => r.envelope.data.map((event) => ({ at: r.at, event, earlier: i < earlierEnvelopes })))
    const earlier = events.filter((e) => e.earlier).length
    $('received-note').textContent =
      `Every event since the server started, newest first` + (earlier ? `; ${earlier} from before this page load, marked "earlier".` : '.')
    $('received').replaceChildren(
      ...events.reverse().map(({ at, event, earlier }) =>
        el('details', {}, el('summary', {}, ...(earlier ? [el('span', { class: 'tag' }, 'earlier')] : []), `${event.type} · ${summarize(event) || event.action} · ${short(event.id)} · ${new Date(at).toLocaleTimeString()}`), el('pre', {}, JSON.stringify(event, null, 2))),
      ),
    )
  }

  // ----- controls ----------------------------------------------------------------------------

  $('start').addEventListener('click', async () => {
    // A new idle timeout takes a new tracker; starting ends the running activity anyway.
    if (idleSeconds() !== trackerIdleSeconds) await makeTracker()
    attempt('activity-note', () => {
      activity = tracker.startActivity(activityTarget())
      renderNow()
    })
  })
  $('pause').addEventListener('click', () => activity && activity.pause())
  $('resume').addEventListener('click', () => activity && activity.resume())
  $('end').addEventListener('click', async () => {
    if (!activity) return
    const result = await activity.end()
    $('activity-note').textContent = result.recorded ? `Ended: ${result.eventIds.length} event(s) stored` : result.reason
    renderNow()
  })
  $('mark-waste').addEventListener('click', () => attempt('activity-note', () => activity.mark('waste', $('subtype').value || undefined)))
  $('mark-anti').addEventListener('click', () => attempt('activity-note', () => activity.mark('anti-pattern', $('subtype').value || undefined)))
  $('unmark').addEventListener('click', () => activity && activity.unmark())
  $('complete').addEventListener('click', async () => {
    if (!activity) return
    const form = new FormData($('complete-form'))
    const metrics = {}
    for (const key of ['totalQuestions', 'correctQuestions', 'xpEarned']) if (form.get(key) !== '') metrics[key] = Number(form.get(key))
    const options = { process: form.get('process') === 'on' }
    if (form.get('attempt') !== '') options.attempt = Number(form.get('attempt'))
    const note = $('complete-note')
    try {
      const result = await activity.complete(metrics, options)
      note.className = 'note'
      note.textContent = result.recorded ? `Completed: ${result.eventIds.length} event(s) stored, sending…` : result.reason
      if (result.recorded) completion = result.eventIds
    } catch (error) {
      note.className = 'note error'
      note.textContent = error.message
    }
    renderNow()
  })
  $('flush').addEventListener('click', () => tracker && tracker.flush())
  // A shared computer (docs/shared-computers.md): the other demo student signs in on this
  // browser. Switching is the app's sign-out without clearing: the student's unsent events stay
  // with their delivery token and leave with the next flush, whoever is signed in. "Sign out and
  // clear" is tracker.signOut(): what can be sent is sent, the rest of that student is removed.
  async function switchStudent(clear) {
    const next = session.students.find((s) => s.id !== session.student.id)
    const note = $('who-note')
    if (clear) {
      const out = await tracker.signOut()
      note.textContent = `${session.student.name} signed out: ${out.sent.length} event(s) sent, ${out.lost.length} removed unsent.`
    } else {
      note.textContent = `${session.student.name}'s unsent events stay here with their delivery token; the next flush sends them.`
    }
    activity = undefined
    // The demo server decides the student from this cookie (demo/server/demoApp.ts, signedIn).
    document.cookie = `demo_student=${next.id === session.students[0].id ? 'first' : 'second'}; path=/; SameSite=Strict`
    session = { ...session, student: next }
    showWho()
    await makeTracker()
  }
  $('switch-student').addEventListener('click', () => switchStudent(false))
  $('sign-out').addEventListener('click', () => switchStudent(true))
  async function showFault(request) {
    const response = await fetch('/demo/proxy-fault', request)
    fault = (await response.json()).mode
    for (const radio of document.querySelectorAll('input[name=fault]')) radio.checked = radio.value === fault
    renderNow()
  }
  // What a student could post by hand: 86,400 active seconds in a one-minute window. The proxy
  // refuses it (docs/trust.md, "What students cannot fake") and says why.
  $('forge').addEventListener('click', async () => {
    const now = Date.now()
    const iso = (t) => new Date(t).toISOString()
    const span = { startDate: iso(now - 60_000), endDate: iso(now) }
    const event = {
      '@context': 'http://purl.imsglobal.org/ctx/caliper/v1p2',
      id: `urn:uuid:${crypto.randomUUID()}`,
      type: 'TimeSpentEvent',
      profile: 'TimebackProfile',
      eventTime: iso(now),
      action: 'SpentTime',
      actor: { id: session.student.id, type: 'TimebackUser', email: session.student.email },
      object: { id: activityTarget().id, type: 'TimebackActivityContext', subject: activityTarget().subject, app: session.app },
      generated: { id: `urn:uuid:${crypto.randomUUID()}`, type: 'TimebackTimeSpentMetricsCollection', items: [{ type: 'active', value: 86_400, ...span }] },
    }
    const body = JSON.stringify({ sensor: location.origin, sendTime: iso(now), dataVersion: event['@context'], data: [event] })
    const answer = await fetch('/api/caliper', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json())
    const refusal = answer.rejected && answer.rejected[0]
    $('forge-note').textContent = refusal
      ? `Refused: ${refusal.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`
      : `Not refused: ${JSON.stringify(answer)}`
  })
  $('faults').addEventListener('change', (event) => {
    void showFault({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: event.target.value }) })
  })
  $('clear-received').addEventListener('click', async () => {
    await fetch('/mock-caliper/received', { method: 'DELETE' })
    earlierEnvelopes = 0
    receivedCount = -1
    await refreshReceived()
  })
  // Changing the idle timeout never ends the running activity: it applies from the next Start.
  $('activity-form').addEventListener('change', (event) => {
    if (event.target.name !== 'idleTimeout') return
    const running = activity && activity.status === 'running'
    $('activity-note').className = 'note'
    $('activity-note').textContent =
      `Idle timeout ${idleSeconds()} s applies from the next Start` + (running ? `; the running activity keeps ${trackerIdleSeconds} s.` : '.')
  })
  addEventListener('online', renderNow)
  addEventListener('offline', renderNow)

  // A video with no file to fetch: an animated canvas, streamed into a <video> element.
  function setUpVideo() {
    const canvas = el('canvas', { width: '320', height: '180' })
    const ctx = canvas.getContext('2d')
    let frame = 0
    const draw = () => {
      frame++
      ctx.fillStyle = '#0d1320'
      ctx.fillRect(0, 0, 320, 180)
      ctx.fillStyle = '#2f5bea'
      const x = 160 + Math.sin(frame / 30) * 110
      ctx.beginPath()
      ctx.arc(x, 90, 26, 0, Math.PI * 2)
      ctx.fill()
      ctx.fillStyle = '#fff'
      ctx.font = '16px system-ui'
      ctx.fillText('Lesson video', 12, 24)
      requestAnimationFrame(draw)
    }
    draw()
    $('video').poster = canvas.toDataURL() // a first frame to show before it plays
    if (canvas.captureStream) $('video').srcObject = canvas.captureStream(15)
  }

  // ----- start -------------------------------------------------------------------------------

  const showWho = () => ($('who').textContent = `Signed in as ${session.student.name} <${session.student.email}>`)

  async function main() {
    session = await (await fetch('/demo/session')).json()
    showWho()
    $('platform').textContent = `(${session.platform})`
    $('subject').replaceChildren(...SUBJECTS.map((s) => el('option', s === 'Math' ? { selected: '' } : {}, s)))
    $('legend').replaceChildren(...BUCKETS.map((b) => el('li', {}, el('span', { class: `swatch bucket-${b}` }), LABELS[b])))
    setUpVideo()
    await showFault()
    await makeTracker()
    await refreshReceived()
    // The page's own refresh of live numbers (the tracker itself runs no such timer).
    setInterval(() => {
      renderNow()
      void refreshReceived()
    }, 1000)
    document.body.dataset.ready = 'true'
  }
  void main()
})()
