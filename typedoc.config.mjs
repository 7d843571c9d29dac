// TypeDoc: the API reference of every public entry, from the doc comments (npm run docs writes
// docs/api/, git-ignored: it is generated from src, so a checked-in copy would only go stale).
// npm test runs it without output (--emit none) as a check: treatWarningsAsErrors with
// notDocumented makes an exported function, class, interface, type, variable or method without a
// doc comment fail the run. Properties are left out: most are the Caliper fields themselves.
/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'timeback-tracker',
  entryPoints: [
    'src/index.ts',
    'src/react/index.ts',
    'src/vue/index.ts',
    'src/svelte/index.ts',
    'src/solid/index.ts',
    'src/frame/index.ts',
    'src/proxy/index.ts',
    'src/proxy/otel/index.ts',
    'src/proxy/conformance/index.ts',
  ],
  tsconfig: 'tsconfig.build.json',
  out: 'docs/api',
  // The README's links lead into docs/ and examples/, which are for GitHub, not this site.
  readme: 'none',
  excludePrivate: true,
  // No links to a source host: the clone's remote may be a path, a fork or absent (a source
  // archive has no .git), and TypeDoc warns, which fails the check, on any it cannot read.
  disableGit: true,
  disableSources: true,
  requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Method', 'Accessor'],
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  // Types the proxy's public signatures use but its entry does not export (so an app cannot name
  // them): to export or document with src/proxy, which is being reworked in parallel. A name
  // here that is exported, or no longer used, fails the run, so these lists can only shrink.
  intentionallyNotExported: ['AcceptEvent', 'SqliteStatement', 'NodeServable', 'NodeRequest'],
  // The proxy's public symbols that still lack a doc comment (src/proxy is being reworked in
  // parallel, so its owners add them; each one documented must leave this list).
  intentionallyNotDocumented: [
    'timeback-tracker/proxy.CaliperProxy.node',
    'timeback-tracker/proxy.CaliperProxyOptions',
    'timeback-tracker/proxy.ProxyLogger.info',
    'timeback-tracker/proxy.ProxyLogger.warn',
    'timeback-tracker/proxy.ProxyLogger.error',
    'timeback-tracker/proxy.Rejection',
    'timeback-tracker/proxy.PlausibilityLimits',
    'timeback-tracker/proxy.RateLimits',
    'timeback-tracker/proxy.TimeBudgetOptions',
    'timeback-tracker/proxy.LedgerClaim',
    'timeback-tracker/proxy.LedgerOptions',
    'timeback-tracker/proxy.MemoryLedgerOptions',
    'timeback-tracker/proxy.SqliteLedgerOptions',
    'timeback-tracker/proxy.SqliteDatabase.exec',
    'timeback-tracker/proxy.SqliteDatabase.prepare',
    'timeback-tracker/proxy.SqliteDatabase.pragma',
    'timeback-tracker/proxy.SqliteDatabase.transaction',
    'timeback-tracker/proxy.SqliteDatabase.transaction.__type.immediate',
    'timeback-tracker/proxy.PostgresQueryable.query',
    'timeback-tracker/proxy.RedisLedgerOptions',
    'timeback-tracker/proxy.RedisCommander.sendCommand',
    'timeback-tracker/proxy.MetricSink',
    'timeback-tracker/proxy.createTokenSource',
    'timeback-tracker/proxy.TokenError',
    'timeback-tracker/proxy.TokenSource',
    'timeback-tracker/proxy.NodeHandlerOptions',
    'timeback-tracker/proxy/otel.OpenTelemetryOptions',
    'timeback-tracker/proxy.TimeBudgetOptions.now',
    'timeback-tracker/proxy.MemoryLedgerOptions.now',
    'timeback-tracker/proxy.SqliteLedgerOptions.now',
    'timeback-tracker/proxy.TokenSourceOptions.fetch',
    'timeback-tracker/proxy.TokenSourceOptions.now',
  ],
}
