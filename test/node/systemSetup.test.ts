// npm test sets the machine up itself: what the chosen steps need, and what it does about what
// is missing (install on Debian/Ubuntu with the rights to, else print the one command).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { neededPackages, planSetup } from '../../scripts/systemSetup.mjs'

const all = ['type-check', 'build', 'node tests', 'browser tests', 'end-to-end']

describe('npm test set-up', () => {
  it('needs the three browsers, an X display for WebKit, PostgreSQL and Redis for the whole run', () => {
    const needed = neededPackages({ steps: all, browsers: ['chromium', 'firefox', 'webkit'], display: false })
    assert.deepEqual(needed.sort(), ['chromium', 'firefox-esr', 'postgresql', 'redis-server', 'webkit2gtk-driver', 'xvfb'])
  })

  it('needs only what the chosen steps and engines use', () => {
    assert.deepEqual(neededPackages({ steps: ['node tests'], browsers: ['chromium', 'firefox', 'webkit'], display: false }), ['postgresql', 'redis-server'])
    assert.deepEqual(neededPackages({ steps: ['browser tests'], browsers: ['webkit'], display: true }), ['webkit2gtk-driver'])
    assert.deepEqual(neededPackages({ steps: ['type-check', 'build'], browsers: ['chromium'], display: false }), [])
    // End to end: Chromium and PostgreSQL (the Vite + Express example) always, and the chosen
    // engines for the back/forward cache test.
    assert.deepEqual(neededPackages({ steps: ['end-to-end'], browsers: ['firefox'], display: true }).sort(), ['chromium', 'firefox-esr', 'postgresql'])
    assert.deepEqual(neededPackages({ steps: ['end-to-end'], browsers: ['chromium'], display: false }).sort(), ['chromium', 'postgresql'])
  })

  it('installs what is missing on Debian/Ubuntu as root, with sudo otherwise', () => {
    assert.deepEqual(planSetup({ missing: ['chromium', 'redis-server'], apt: true, root: true, sudo: false }), {
      action: 'install',
      commands: [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium', 'redis-server']],
    })
    const withSudo = planSetup({ missing: ['postgresql'], apt: true, root: false, sudo: true })
    assert.deepEqual(withSudo.action === 'install' && withSudo.commands.map((c) => c[0]), ['sudo', 'sudo'])
  })

  it('prints the one command to run where it cannot install', () => {
    assert.deepEqual(planSetup({ missing: ['firefox-esr', 'xvfb'], apt: true, root: false, sudo: false }), {
      action: 'print',
      command: 'sudo apt-get install -y firefox-esr xvfb',
    })
    const elsewhere = planSetup({ missing: ['chromium'], apt: false, root: true, sudo: false })
    assert.equal(elsewhere.action, 'print')
  })

  it('does nothing when nothing is missing', () => {
    assert.deepEqual(planSetup({ missing: [], apt: true, root: true, sudo: false }), { action: 'none' })
  })
})
