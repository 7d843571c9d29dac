import type { core } from 'zod/mini'

/** One bad field: where it is (`actor.email`, `data[0].object.subject`) and what is wrong. */
export interface FieldIssue {
  path: string
  message: string
}

/**
 * Thrown for bad input. Its message names every offending field, e.g.
 * `createTracker: actor.email: invalid email; object.subject: must be one of Reading, …`,
 * and `issues` lists them for programs. A `TypeError`, so `catch (e) { e instanceof TypeError }`
 * code keeps working.
 */
export class TimebackValidationError extends TypeError {
  readonly issues: FieldIssue[]

  constructor(label: string, issues: FieldIssue[]) {
    super(`${label}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`)
    this.name = 'TimebackValidationError'
    this.issues = issues
  }
}

/** `['data', 0, 'actor', 'email']` → `data[0].actor.email` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`
  }
  return out
}

/** Turns zod issues into one readable message per field (zod/mini ships no messages of its own). */
export function toFieldIssues(issues: readonly core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldIssue[] {
  const out: FieldIssue[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && !issue.discriminator) {
      // Report the branch that got furthest (fewest issues) rather than "invalid input".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!
      out.push(...toFieldIssues(best, path))
      continue
    }
    out.push({ path: formatPath(path), message: describe(issue) })
  }
  return out
}

function describe(issue: core.$ZodIssue): string {
  // A missing field fails its type or its predicate (`passing`, `oneOf`): either way, say that.
  if (issue.input === undefined) return 'is required'
  // Every rule of ours is a refinement carrying its own words. What is left is zod's own
  // structural checks (types, literals, unknown keys, unions), worded here rather than by zod: an
  // app that loads zod's classic build installs zod's English messages for every copy of zod.
  if (issue.code === 'custom') return issue.message
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${typeName(issue.input)}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.join(', ')}`
    case 'invalid_union': {
      const options = 'options' in issue ? issue.options : undefined
      return options?.length ? `must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}` : 'matches none of the allowed shapes'
    }
    default:
      return 'is invalid'
  }
}

export function typeName(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}
