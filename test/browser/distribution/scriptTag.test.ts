// The minified IIFE as a learning app loads it: a <script> tag, twice, under a strict CSP.
import { expect } from 'chai'
import { collector } from '../support/collector.js'
import { randomId } from '../support/page.js'
import { waitFor } from '../support/waitFor.js'

interface CspResult {
  errors: string[]
  violations: string[]
  pointermoveListeners: number
  secondTracker: string
  validation: { name: string; isTypeError: boolean; message: string }
  complete: { recorded: boolean; eventIds: string[] }
  pending: number
  storage: string
  crash?: string
}

describe('the script-tag build (dist/timeback-tracker.iife.min.js)', () => {
  it('works under script-src \'self\' without a single securitypolicyviolation, loaded twice', async () => {
    const built = await fetch('/dist/timeback-tracker.iife.min.js', { method: 'HEAD' })
    expect(built.ok, 'run `npm run build` first (npm test does)').to.equal(true)
    const sink = collector()
    const frame = document.createElement('iframe')
    frame.src = `/test/fixtures/csp.html?endpoint=${sink.url}&store=test-csp-${randomId()}`
    document.body.append(frame)
    try {
      const win = () => frame.contentWindow as (Window & { cspResult?: CspResult }) | null
      const result = await waitFor(() => win()?.cspResult, 'the page to finish', 15_000)
      expect(result.crash).to.equal(undefined)
      expect(result.violations, 'CSP violations').to.deep.equal([])
      expect(result.pointermoveListeners, 'one input listener despite two copies').to.equal(1)
      expect(result.secondTracker).to.match(/already running/)
      expect(result.validation.isTypeError).to.equal(true)
      expect(result.validation.message).to.contain('createTracker: app.name: must not be empty').and.contain('actor.email: invalid email')
      expect(result.complete.recorded).to.equal(true)
      expect(result.pending).to.equal(0)
      expect(result.storage).to.equal('indexeddb')
      expect(result.errors).to.deep.equal([])
      const counts = await sink.deliveredCounts()
      expect(result.complete.eventIds.every((id) => counts.get(id) === 1)).to.equal(true)
    } finally {
      frame.remove()
    }
  })
})
