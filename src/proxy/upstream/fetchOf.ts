/**
 * The `fetch` of some options, to call on its own. Called as `options.fetch(…)`, its `this` would be
 * the options object, and workerd's fetch then throws "Illegal invocation" (it must be called
 * with no `this`, or the global one): the proxy could reach no token endpoint on Workers.
 */
export const fetchOf = (options: { fetch: typeof fetch }): typeof fetch => options.fetch
