/**
 * Whether a request may come from where it says it comes from. Browsers attach cookies to
 * beacons and simple POSTs from any site, so a cross-site request is refused unless its origin
 * is allowed: by `Origin` when present, else by `Sec-Fetch-Site`. Requests with neither (curl,
 * server-to-server) are not browsers acting for someone else and pass; `authorize` decides.
 */
export function isAllowedOrigin(request: Request, allowedOrigins: readonly string[] | undefined): boolean {
  const own = new URL(request.url).origin
  const allowed = new Set([own, ...(allowedOrigins ?? [])])
  const origin = request.headers.get('origin')
  if (origin && origin !== 'null') return allowed.has(origin)
  const site = request.headers.get('sec-fetch-site')
  if (origin === 'null') return false
  return !site || site === 'same-origin' || site === 'none'
}
