// Trackers live on this page, shared by every copy of the library loaded into it (two <script>
// tags, a script tag plus an ESM bundle): the registry sits on the global object.
const KEY = Symbol.for('timeback-tracker.registry')

type Registry = Map<string, unknown>

export const trackerRegistry = (): Registry =>
  ((globalThis as unknown as Record<symbol, Registry>)[KEY] ??= new Map())
