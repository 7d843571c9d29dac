/**
 * The proxy's answer to a batch (200): which event ids it took, which it had already taken, and
 * which it refuses for good, with the reasons. See README "Proxy protocol".
 */
export interface ProxyAnswer {
  status: 'success'
  accepted: string[]
  duplicates: string[]
  rejected: Array<{ id: string; errors: unknown }>
}

/**
 * Reads a proxy answer (a body with an `accepted` or `rejected` list), or undefined when the
 * body is not one (e.g. a plain Caliper endpoint's `{ status: "success" }`).
 */
export function readProxyAnswer(body: unknown): ProxyAnswer | undefined {
  const b = body as Partial<ProxyAnswer> | null
  if (!b || typeof b !== 'object' || !(Array.isArray(b.accepted) || Array.isArray(b.rejected))) return undefined
  return {
    status: 'success',
    accepted: Array.isArray(b.accepted) ? b.accepted.filter((id) => typeof id === 'string') : [],
    duplicates: Array.isArray(b.duplicates) ? b.duplicates.filter((id) => typeof id === 'string') : [],
    rejected: Array.isArray(b.rejected) ? b.rejected.filter((r) => r && typeof r.id === 'string') : [],
  }
}
