// The "Embedded in another site" demo page (see embed.html). As the tool, it authenticates to
// the proxy with a token in a header — third-party cookies are blocked — and shows what the
// tracker does there: storage mode, state, deliveries (the hide-time beacon is refused: it
// cannot carry the header), errors. Data is only ever written with textContent.
'use strict'
;(() => {
  const $ = (id) => document.getElementById(id)
  const el = (tag, text = '', props = {}) => Object.assign(document.createElement(tag), { textContent: text }, props)
  const card = (title, ...children) => {
    const section = el('section', '', { className: 'card' })
    section.append(el('h2', title), ...children)
    $('main').append(section)
  }

  if (window.top === window) {
    // The host site: embed the tool from the other hostname, which the browser treats as another site.
    const tool = new URL('/embed.html?tool', location.href)
    tool.hostname = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1'
    $('role').textContent = `host site (${location.origin})`
    $('about').textContent = `The tool below comes from ${tool.origin}: a third-party iframe, as in an LTI launch.`
    const frame = el('iframe', '', { src: tool.href, title: 'The learning tool', allow: 'storage-access', className: 'embedded-tool' })
    card('The learning tool (cross-site iframe)', frame)
    return
  }

  const { createTracker } = window.TimebackTracker
  $('role').textContent = `the tool (${location.origin}), inside another site`
  $('about').textContent = 'Move the mouse or scroll here without clicking: that is attention too.'
  const status = el('p', 'Starting…', { className: 'state' })
  status.dataset.testid = 'state'
  const facts = el('ul', '', { className: 'rows' })
  facts.dataset.testid = 'facts'
  const log = el('ul', '', { className: 'rows' })
  const access = el('button', 'Ask for storage access (then reload)', { type: 'button' })
  const complete = el('button', 'Complete (xp 10)', { type: 'button', className: 'primary' })
  card('Tracker', status, facts, access, complete)
  card('Deliveries and errors', log)
  const note = (text, kind = 'ok') => {
    const item = el('li')
    item.append(el('span', kind, { className: `tag ${kind}` }), text)
    log.prepend(item)
  }

  access.addEventListener('click', async () => {
    // A user gesture, as the Storage Access API requires. See docs/embedding.md, "Embedded in another site".
    try {
      await document.requestStorageAccess()
      note('storage access granted: reload the tool to use it')
    } catch (error) {
      note(`storage access refused (${error.name}); the token path goes on working`, 'bad')
    }
  })

  void (async () => {
    const session = await (await fetch('/demo/session', { credentials: 'omit' })).json()
    const tracker = createTracker({
      endpoint: '/api/caliper/embedded',
      app: session.app,
      actor: { id: session.student.id, email: session.student.email },
      credentials: 'omit',
      headers: () => ({ authorization: `Bearer ${session.embedToken}` }),
      onError: (error) => note(`${error.code}: ${error.message}`, 'bad'),
    })
    const activity = tracker.startActivity({ id: 'https://demo.example.org/lessons/embedded-tool', subject: 'Math', activity: { name: 'Embedded tool' } })
    complete.addEventListener('click', () => void activity.complete({ xpEarned: 10 }))
    let shown // the last delivery listed
    const render = (snapshot) => {
      const a = snapshot.activity
      status.textContent = a ? `${a.state.bucket} (${a.state.reason})` : 'activity finished'
      facts.replaceChildren(
        el('li', `storage: ${snapshot.queue.storage}; events waiting: ${snapshot.queue.pending}`),
        el('li', `focused: ${document.hasFocus()}; active ${Math.round((a?.totals.active ?? 0) / 1000)} s`),
      )
      const d = snapshot.lastDelivery
      if (d && d !== shown) note(`${d.transport}: ${d.ids.length} event(s)${d.status ? `, HTTP ${d.status}` : ''}${d.error ? `, ${d.error}` : ''}`, d.error ? 'wait' : 'ok')
      shown = d
    }
    render(tracker.snapshot())
    tracker.subscribe(render)
  })()
})()
