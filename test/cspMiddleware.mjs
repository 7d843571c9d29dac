// Serves the CSP fixture with a strict policy, the way a careful learning app serves its pages.
export async function cspMiddleware(ctx, next) {
  await next()
  if (ctx.path === '/test/fixtures/csp.html') {
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'")
  }
}
