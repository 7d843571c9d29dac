/**
 * The proxy's answer to a batch (200): which event ids it took, which it had already taken, and
 * which it refuses for good, with the reasons. See docs/proxy.md, the protocol.
 */
export interface ProxyAnswer {
  accepted: string[]
  duplicates: string[]
  rejected: Array<{ id: string; errors: unknown }>
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const isId = (id: unknown) => typeof id == 'string'

/**
 * Reads a proxy answer (a body with an `accepted` or `rejected` list), or undefined when the
 * body is not one (e.g. a plain Caliper endpoint's `{ status: "success" }`). Whatever is not an
 * id in the lists is left out.
 */
export function readProxyAnswer(body: unknown): ProxyAnswer | undefined {
  const b = body as Partial<Record<keyof ProxyAnswer, unknown>> | null | undefined
  if (!(Array.isArray(b?.accepted) || Array.isArray(b?.rejected))) return undefined
  return {
    accepted: list(b!.accepted).filter(isId) as string[],
    duplicates: list(b!.duplicates).filter(isId) as string[],
    rejected: list(b!.rejected).filter((r) => isId((r as { id?: unknown } | null)?.id)) as ProxyAnswer['rejected'],
  }
}
