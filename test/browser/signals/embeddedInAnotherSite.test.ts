// Issue 14's acceptance test: the tracker's page embedded by another site (two origins on the
// test server, cross-site), storage refused, the student moving the mouse and wheeling inside
// the unfocused tool for a minute without clicking.
import { expect } from 'chai'
import { collector } from '../support/collector.js'
import { nextMessage, openCrossOriginFrame, otherOrigin } from '../support/crossOrigin.js'
import { expectAllDelivered } from '../support/delivered.js'
import { randomId } from '../support/page.js'
import { reportedSeconds } from '../support/trackerHarness.js'
import { waitFor } from '../support/waitFor.js'

const SECOND = 1000
let nextId = 1

describe('embedded in another site (cross-origin iframe, storage refused)', () => {
  let frame: HTMLIFrameElement | undefined
  afterEach(() => frame?.remove())

  it('a minute of mouse and wheel input without a click is active; everything is delivered once', async () => {
    const sink = collector()
    frame = await openCrossOriginFrame('/test/fixtures/embeddedTool.html', { parent: location.origin, endpoint: sink.url, store: `test-embed-${randomId()}` })
    const tool = frame
    const send = async (command: Record<string, unknown>) => {
      const id = nextId++
      tool.contentWindow!.postMessage({ id, ...command }, otherOrigin())
      return nextMessage((d) => d?.reply === id, `the tool to answer ${JSON.stringify(command)}`)
    }
    const first = await send({})
    expect(first.hasFocus, 'the tool has not been clicked').to.equal(false)
    expect(first.state).to.include({ bucket: 'inactive', reason: 'blurred' })
    for (let s = 0; s < 60; s += 5) {
      await send({ fire: s % 10 ? 'wheel' : 'pointermove' })
      await send({ tick: 5 * SECOND })
    }
    const done = await send({ complete: { totalQuestions: 4, correctQuestions: 3, xpEarned: 40 } })
    expect(done.totals).to.include({ active: 60 * SECOND, inactive: 0 })
    expect(done.completion.recorded).to.equal(true)
    const counts = await expectAllDelivered(sink, done.completion.eventIds, () => send({ tick: SECOND }))
    await waitFor(async () => (await reportedSeconds(sink)).active === 60, 'the minute reported as active')
    expect(await reportedSeconds(sink)).to.deep.equal({ active: 60 })
    const activityEvents = (await sink.received()).flatMap((r) => r.envelope.data).filter((e) => e.type === 'ActivityEvent')
    expect(new Set(activityEvents.map((e) => e.id)).size, 'one ActivityEvent').to.equal(1)
    expect(counts.get(activityEvents[0]!.id), 'delivered exactly once').to.equal(1)
    const last = await send({ tick: 30 * SECOND })
    expect(last.storage).to.equal('memory')
    // Each refused feature (IndexedDB, Web Locks) is said once, never again on later flushes.
    const said = `degraded mode said once per refused feature (storage refusal ${last.refusal})`
    expect(last.errors.length, said).to.be.within(1, 2)
    expect(new Set(last.errors), said).to.deep.equal(new Set(['storage-unavailable']))
    const later = await send({ tick: 5 * 60 * SECOND })
    expect(later.errors, said).to.deep.equal(last.errors)
  })
})
