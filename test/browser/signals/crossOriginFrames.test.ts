// A cooperating cross-origin frame (timeback-tracker/frame) reports input to the tracker of the
// page embedding it, when the tracker names its origin; any other origin is ignored.
import { expect } from 'chai'
import { forwardInput } from '../../../src/frame/index.js'
import { nextMessage, openCrossOriginFrame, otherOrigin } from '../support/crossOrigin.js'
import { SECOND, lesson, useTracker } from '../support/trackerHarness.js'

const seconds = (totals: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, ms / 1000]))

describe('cross-origin frames that report input', () => {
  const h = useTracker(() => ({ frameOrigins: [otherOrigin()] }))
  const frames: HTMLIFrameElement[] = []
  afterEach(() => frames.splice(0).forEach((f) => f.remove()))

  /** The frame fires `type` at itself; its report is a message, so wait for it to arrive. */
  async function fireIn(frame: HTMLIFrameElement, type: string) {
    frame.contentWindow!.postMessage({ fire: type }, otherOrigin())
    await nextMessage((d) => d?.fired === type, `${type} fired in the frame`)
    await h.clock.quiet() // the report, posted right after, is delivered in a later task
  }

  it('input in a frame from an accepted origin counts; a third origin is ignored', async () => {
    const partner = await openCrossOriginFrame('/test/fixtures/inputFrame.html', { parent: location.origin, interval: 0 })
    frames.push(partner)
    // A third origin: a sandboxed frame (origin "null") posting the very same report.
    const stranger = document.createElement('iframe')
    stranger.sandbox.add('allow-scripts')
    stranger.srcdoc = `<script>
      onmessage = () => {
        parent.postMessage('timeback:input', '*')
        parent.postMessage({ sent: 'stranger' }, '*') // arrives after the report: same source, in order
      }
      parent.postMessage({ ready: 'stranger' }, '*')
    </script>`
    document.body.append(stranger)
    frames.push(stranger)
    await nextMessage((d) => d?.ready === 'stranger', 'the sandboxed frame')

    const activity = h.tracker.startActivity(lesson)
    await h.clock.tick(50 * SECOND)
    await fireIn(partner, 'pointermove')
    await h.clock.tick(50 * SECOND)
    await fireIn(partner, 'wheel')
    await h.clock.tick(50 * SECOND)
    expect(seconds(activity.totals)).to.deep.equal({ active: 150 })

    await h.clock.tick(30 * SECOND) // idle since 170 s
    expect(activity.state).to.include({ bucket: 'inactive', reason: 'idle' })
    stranger.contentWindow!.postMessage('go', '*')
    await nextMessage((d) => d?.sent === 'stranger', 'the report from the sandboxed frame')
    await h.clock.tick(10 * SECOND)
    expect(activity.state, 'a report from an origin not in frameOrigins').to.include({ bucket: 'inactive', reason: 'idle' })
    await fireIn(partner, 'keydown')
    expect(activity.state).to.include({ bucket: 'active', reason: 'input' })
  })

  it('forwardInput refuses a parent origin that is not one', () => {
    expect(() => forwardInput('https://app.example/lessons')).to.throw(TypeError, 'forwardInput: parentOrigin: must be an origin like https://app.example')
    expect(() => forwardInput('app.example')).to.throw(TypeError, 'parentOrigin')
  })
})

describe('frameOrigins option', () => {
  it('names each bad value', async () => {
    const { createTracker } = await import('../../../src/index.js')
    expect(() =>
      createTracker({
        endpoint: '/x',
        app: { name: 'A' },
        actor: { id: 'https://sis.example/users/1', email: 'a@example.com' },
        frameOrigins: ['https://tool.example/', 'tool.example'],
      }),
    ).to.throw(TypeError, 'createTracker: frameOrigins: must be origins like https://tool.example')
  })
})
