// The adapters under server rendering, in Node (no window, no storage), from the built package
// as an app imports it (`npm run build` first; npm test does): they render and do nothing.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { createElement as h } from 'react'
import { renderToString as renderReact } from 'react-dom/server'
import { createSSRApp, defineComponent, h as vh } from 'vue'
import { renderToString as renderVue } from 'vue/server-renderer'

// Through the package's own name and exports map, as an app resolves it (typed loosely: the
// build's .d.ts files may not exist yet when this file is type-checked).
const entry = (name: string) => import(`timeback-tracker/${name}`)

const options = {
  endpoint: '/api/caliper',
  app: { name: 'Math App' },
  actor: { id: 'https://sis.example/users/123', email: 'student@example.com' },
}
const lesson = { id: 'https://app.example/lessons/7', subject: 'Math' }

describe('server rendering', () => {
  it('React: the provider and hooks render to a string; nothing starts', async () => {
    const { TrackerProvider, useActivity, useTracker, useTrackerSnapshot } = await entry('react')
    function Lesson() {
      const activity = useActivity(lesson)
      const snapshot = useTrackerSnapshot()
      return h('p', null, `${activity ? 'activity' : 'no activity'}, ${snapshot ? 'snapshot' : 'no snapshot'}, ${useTracker() ? 'tracker' : 'no tracker'}`)
    }
    const html = renderReact(h(TrackerProvider, { options }, h(Lesson)))
    assert.equal(html, '<p>no activity, no snapshot, no tracker</p>')
  })

  it("React: the entry is marked 'use client' for Server Components", () => {
    const first = readFileSync('dist/esm/react.js', 'utf8').split('\n')[0]
    assert.match(first ?? '', /^['"]use client['"];?$/)
  })

  it('Vue: app.use with options on the server renders; nothing starts', async () => {
    const { TimebackTracker, useActivity, useTracker, useTrackerSnapshot } = await entry('vue')
    const Lesson = defineComponent({
      setup() {
        const activity = useActivity(lesson)
        const snapshot = useTrackerSnapshot()
        const tracker = useTracker()
        return () => vh('p', `${activity.value ? 'activity' : 'no activity'}, ${snapshot.value ? 'snapshot' : 'no snapshot'}, ${tracker ? 'tracker' : 'no tracker'}`)
      },
    })
    const app = createSSRApp(Lesson).use(TimebackTracker, { options })
    assert.equal(await renderVue(app), '<p>no activity, no snapshot, no tracker</p>')
  })
})
