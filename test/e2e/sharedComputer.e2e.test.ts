// Issue 22, end to end: a shared computer. `npm start`'s server (the reference proxy, with
// delivery tokens, deciding the student from a cookie) and the demo page in real Chromium.
// Student 1 is online at the start, the Wi-Fi drops, they work 60 s and complete for 50 XP,
// then sign out; student 2 signs in on the same browser and works; the network comes back.
// Student 1's 60 s and XP reach the platform exactly once, and nothing of student 1 stays in
// IndexedDB after that flush.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { DEMO_STUDENT, SECOND_STUDENT } from '../../demo/server/demoApp.js'
import { demoInChromium } from './demoInChromium.js'
import { waitUntil } from './waitUntil.js'

const demo = demoInChromium()

type Received = Array<{ envelope: { data: Array<Record<string, any>> } }>
const received = async (): Promise<Received> => (await fetch(`${demo.server.base}/mock-caliper/received`)).json() as Promise<Received>

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => waitUntil(what, probe, { timeoutMs: 20_000, context: () => demo.server.output() })

/** Every key and value in the tracker's IndexedDB store, as anyone at the computer could read them. */
const stored = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<Array<[string, unknown]>>((resolve, reject) => {
        const open = indexedDB.open('timeback-tracker')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const store = open.result.transaction('journal').objectStore('journal')
          const keys = store.getAllKeys()
          const values = store.getAll()
          store.transaction.oncomplete = () => {
            open.result.close()
            resolve(keys.result.map((key, i) => [String(key), values.result[i]]))
          }
        }
      }),
  )

const ofStudent1 = (entries: Array<[string, unknown]>) =>
  entries.filter(([key, value]) => key.includes(DEMO_STUDENT.id) || JSON.stringify(value ?? null).includes(DEMO_STUDENT.id))

/** `seconds` of work: the pointer moves every second of page time. */
async function work(page: Page, seconds: number) {
  for (let i = 0; i < seconds; i++) {
    await page.clock.runFor(1000)
    await page.mouse.move(200 + (i % 2) * 40, 300 + (i % 50))
  }
}

async function complete(page: Page, xp: number) {
  await page.fill('[data-testid=xp]', String(xp))
  await page.click('[data-testid=complete]')
  await waitFor('the completion to be stored', async () => /Completed/.test((await page.textContent('[data-testid=complete-note]')) ?? ''))
}

describe('a shared computer, end to end', () => {
  it("delivers student 1's offline work with their token while student 2 works, once, and leaves nothing of student 1", async () => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    const start = Date.now()
    await page.clock.install({ time: new Date(start) })
    // The tracker's first flush finds nothing to send and asks for its student's delivery token.
    const tokenAnswer = page.waitForResponse((r) => r.url().endsWith('/api/caliper') && r.request().postDataJSON()?.data?.length === 0)
    await page.goto(demo.server.base)
    await page.waitForSelector('body[data-ready]')
    await page.clock.pauseAt(new Date(start + 5_000))
    assert.match((await page.textContent('[data-testid=who]'))!, /Demo Student/)
    // Online at the start: the tracker's first flush got student 1's delivery token.
    const token: unknown = (await (await tokenAnswer).json()).deliveryToken
    assert.equal(typeof token, 'string', "student 1's delivery token")

    // The Wi-Fi drops; student 1 works 60 s and completes for 50 XP, then signs out.
    await context.setOffline(true)
    await page.click('[data-testid=start]')
    await work(page, 60)
    await complete(page, 50)
    await page.click('[data-testid=switch-student]')
    await waitFor('student 2 signed in', async () => /Second Student/.test((await page.textContent('[data-testid=who]')) ?? ''))
    const left = ofStudent1(await stored(page))
    assert.deepEqual(left.filter(([key]) => key.startsWith('e:')).length, 2, "student 1's two events wait")
    assert.ok(left.every(([, record]) => (record as { token?: unknown }).token === token), 'each with their token')
    // Student 2's tracker shows none of them.
    assert.equal(await page.textContent('[data-testid=queue-count]'), '0')

    // Student 2 works; the network comes back in the middle.
    await page.click('[data-testid=start]')
    await work(page, 15)
    await context.setOffline(false)
    await page.click('[data-testid=flush]')
    const ofActor = (r: Received, id: string) => r.flatMap((x) => x.envelope.data).filter((e) => e.actor.id === id)
    await waitFor("student 1's events at the platform", async () => ofActor(await received(), DEMO_STUDENT.id).length >= 2)
    assert.deepEqual(ofStudent1(await stored(page)), [], 'nothing of student 1 stays in IndexedDB (events, token)')
    await work(page, 15)
    await complete(page, 20)
    await waitFor("student 2's completion at the platform", async () =>
      ofActor(await received(), SECOND_STUDENT.id).some((e) => e.type === 'ActivityEvent'),
    )

    const all = await received()
    const ids = all.flatMap((r) => r.envelope.data.map((e) => e.id))
    assert.equal(new Set(ids).size, ids.length, 'each event exactly once')
    const first = ofActor(all, DEMO_STUDENT.id)
    const seconds = (events: Array<Record<string, any>>, type: string) =>
      events.filter((e) => e.type === 'TimeSpentEvent').flatMap((e) => e.generated.items).filter((i) => i.type === type).reduce((s, i) => s + i.value, 0)
    assert.ok(Math.abs(seconds(first, 'active') - 60) <= 1, `student 1's 60 active seconds (${seconds(first, 'active')})`)
    assert.deepEqual(first.filter((e) => e.type === 'ActivityEvent').map((e) => e.generated.items.find((i: any) => i.type === 'xpEarned').value), [50])
    const second = ofActor(all, SECOND_STUDENT.id)
    assert.ok(Math.abs(seconds(second, 'active') - 30) <= 1, `student 2's 30 active seconds (${seconds(second, 'active')})`)
    assert.match(demo.server.output(), new RegExp(`user ${DEMO_STUDENT.id} \\(by delivery token\\): 2 forwarded`))
    assert.deepEqual(problems, [])
    await context.close()
  })
})
