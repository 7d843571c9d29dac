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
}
