import type { MetricSink } from '../telemetry/proxyMetrics.js'
import { fetchOf } from './fetchOf.js'

/** OAuth2 client-credentials tokens for the Timeback API, kept server-side. */
export interface TokenSourceOptions {
  tokenUrl: string
  clientId: string
  clientSecret: string
  /** Space-separated scopes, when the IdP wants them. */
  scope?: string
  fetch: typeof fetch
  now?: () => number
  /** Refresh this long before the token expires (at most half its lifetime). Default 60 s. */
  refreshMarginMs?: number
  /** A token request is given up on after this long. Default 10 s. */
  tokenTimeoutMs?: number
  onMetric?: MetricSink | undefined
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
    const started = Date.now()
    let ok = false
    try {
      const response = await fetchOf(o)(o.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(o.tokenTimeoutMs ?? 10_000),
      })
      // Never echo the response body: an IdP may reflect the credentials in an error.
      if (!response.ok) throw new TokenError(`token endpoint answered ${response.status}`)
      const json = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown }
      if (typeof json.access_token !== 'string' || !json.access_token) throw new TokenError('token endpoint gave no access_token')
      const lifetimeMs = (typeof json.expires_in === 'number' ? json.expires_in : 3600) * 1000
      // A short-lived token (≤ 2 × margin) is still reused for half its life, not refetched per request.
      cached = { token: json.access_token, refreshAt: now() + lifetimeMs - Math.min(margin, lifetimeMs / 2) }
      ok = true
      return json.access_token
    } catch (error) {
      if (error instanceof TokenError) throw error
      throw new TokenError(`token endpoint unreachable (${(error as Error).name})`)
    } finally {
      o.onMetric?.({ name: 'token', ok, ms: Date.now() - started })
    }
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
