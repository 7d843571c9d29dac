// Client side of test/collectorMiddleware.mjs.

export interface ReceivedRequest {
  at: number
  answeredAt: number
  contentType: string
  csrfToken?: string
  bytes: number
  ids: string[]
  envelope: { sensor: string; sendTime: string; data: Array<Record<string, any>>; deliveryToken?: string }
  status: number
}

export interface Collector {
  url: string
  received(): Promise<ReceivedRequest[]>
  /** Answers for the next requests, in order: `{ status, headers?, body?, reject?, delayMs?, serverTime?, deliveryToken? }`. */
  script(answers: Array<{ status: number; headers?: Record<string, string>; body?: unknown; reject?: string[]; delayMs?: number; serverTime?: boolean; deliveryToken?: string }>): Promise<void>
  /** Standing rules (see collectorMiddleware.mjs); `clearRules()` drops them. */
  rules(rules: Array<{ status?: number; body?: unknown; containsId?: string; maxEvents?: number; contentType?: string; delayMs?: number; unanswered?: boolean }>): Promise<void>
  clearRules(): Promise<void>
  /** Ids that reached the collector in a 200 answer, with how many times each arrived. */
  deliveredCounts(): Promise<Map<string, number>>
}

export function collector(name = Math.random().toString(36).slice(2)): Collector {
  const url = `/collect/${name}`
  // Bypass any fake clock: these are test infrastructure requests.
  const get = async () => (await fetch(`${url}/received`)).json() as Promise<ReceivedRequest[]>
  return {
    url,
    received: get,
    async script(answers) {
      await fetch(`${url}/script`, { method: 'POST', body: JSON.stringify(answers) })
    },
    async rules(rules) {
      await fetch(`${url}/rules`, { method: 'POST', body: JSON.stringify(rules) })
    },
    async clearRules() {
      await fetch(`${url}/rules`, { method: 'DELETE' })
    },
    async deliveredCounts() {
      const counts = new Map<string, number>()
      for (const r of await get()) if (r.status === 200) for (const id of r.ids) counts.set(id, (counts.get(id) ?? 0) + 1)
      return counts
    },
  }
}
