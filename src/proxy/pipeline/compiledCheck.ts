import type { core } from 'zod/mini'

/** True when the value passes. */
export type Check = (value: unknown) => boolean

type Def = {
  type: string
  checks?: Array<{ _zod: { def: { check?: string; fn?: (value: never) => unknown; when?: unknown } } }>
  [key: string]: unknown
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A yes/no check compiled from one of this library's zod/mini schemas: true exactly when zod
 * would accept the value, without zod's bookkeeping (a payload and an issue list per field,
 * which made validation most of the proxy's time per event). It is built from the schema itself:
 * the same structure and the same refinement functions, so the rules live in one place. The
 * proxy runs it first and asks zod only about what it refuses, for the messages. A schema kind it
 * does not know (or a check other than a refinement) throws here, at start-up, rather than being
 * checked differently from zod.
 */
export function compileCheck(schema: core.$ZodType): Check {
  const def = schema._zod.def as unknown as Def
  const refinements = (def.checks ?? []).map((check) => {
    const { check: kind, fn, when } = check._zod.def
    // `when` changes which refinements zod runs: not the plain "all must pass". `abort` (zod runs
    // none after a failed one) is what `every` does below; `text` needs it (no string check on a
    // number).
    if (kind !== 'custom' || typeof fn !== 'function' || when) throw new TypeError(`compileCheck: a "${kind}" check is not supported`)
    return fn as (value: unknown) => unknown
  })
  const base = compileKind(def)
  return refinements.length ? (value) => base(value) && refinements.every((fn) => !!fn(value)) : base
}

function compileKind(def: Def): Check {
  switch (def.type) {
    case 'string':
      return (value) => typeof value === 'string'
    case 'boolean':
      return (value) => typeof value === 'boolean'
    case 'unknown':
      return () => true
    case 'never':
      return () => false
    case 'literal': {
      const values = def.values as unknown[]
      return (value) => values.includes(value)
    }
    case 'enum': {
      const values = Object.values(def.entries as Record<string, unknown>)
      return (value) => values.includes(value)
    }
    case 'optional': {
      const inner = compileCheck(def.innerType as core.$ZodType)
      return (value) => value === undefined || inner(value)
    }
    case 'array': {
      const element = compileCheck(def.element as core.$ZodType)
      // By index, not `every`: a hole is `undefined` to zod.
      return (value) => {
        if (!Array.isArray(value)) return false
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false
        return true
      }
    }
    case 'record': {
      const key = compileCheck(def.keyType as core.$ZodType)
      const item = compileCheck(def.valueType as core.$ZodType)
      return (value) => isObject(value) && Object.keys(value).every((k) => key(k) && item(value[k]))
    }
    case 'union': {
      const options = (def.options as core.$ZodType[]).map(compileCheck)
      return (value) => options.some((option) => option(value))
    }
    case 'object': {
      const fields = Object.entries(def.shape as Record<string, core.$ZodType>).map(([key, field]) => [key, compileCheck(field)] as const)
      const known = new Set(fields.map(([key]) => key))
      // No catchall: unknown keys are dropped (fine); `never`: refused; any other: checked.
      const catchall = def.catchall === undefined ? undefined : compileCheck(def.catchall as core.$ZodType)
      return (value) =>
        isObject(value) &&
        fields.every(([key, check]) => check(value[key])) &&
        (!catchall || Object.keys(value).every((key) => known.has(key) || catchall(value[key])))
    }
    default:
      throw new TypeError(`compileCheck: a "${def.type}" schema is not supported`)
  }
}
