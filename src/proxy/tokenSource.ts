/** OAuth2 client-credentials tokens for the Timeback API, kept server-side. */
export interface TokenSourceOptions {
  tokenUrl: string
  clientId: string
  clientSecret: string
  /** Space-separated scopes, when the IdP wants them. */
  scope?: string
  fetch: typeof fetch
  now?: () => number
  /** Refresh this long before the token expires. Default 60 s. */
  refreshMarginMs?: number
}

export interface TokenSource {
  /** A valid access token: cached until shortly before expiry; concurrent callers share one request. */
  get(): Promise<string>
  /** Forget `token` (the API answered 401 with it), so the next `get()` fetches a new one. */
  invalidate(token: string): void
}

export class TokenError extends Error {
  override readonly name = 'TokenError'
}

export function createTokenSource(o: TokenSourceOptions): TokenSource {
  const now = o.now ?? Date.now
  const margin = o.refreshMarginMs ?? 60_000
  let cached: { token: string; refreshAt: number } | undefined
  let pending: Promise<string> | undefined

  const request = async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret })
    if (o.scope) body.set('scope', o.scope)
    const response = await o.fetch(o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    })
    // Never echo the response body: an IdP may reflect the credentials in an error.
    if (!response.ok) throw new TokenError(`token endpoint answered ${response.status}`)
    const json = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown }
    if (typeof json.access_token !== 'string' || !json.access_token) throw new TokenError('token endpoint gave no access_token')
    const lifetimeMs = (typeof json.expires_in === 'number' ? json.expires_in : 3600) * 1000
    cached = { token: json.access_token, refreshAt: now() + Math.max(0, lifetimeMs - margin) }
    return json.access_token
  }

  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token)
      pending ??= request().finally(() => (pending = undefined))
      return pending
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined
    },
  }
}
