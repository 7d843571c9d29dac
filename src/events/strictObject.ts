import * as z from 'zod/mini'

/**
 * `z.strictObject(shape)` as a check on `z.unknown()`, as `text` is for strings: the same issues
 * (`expected object`, each field's own at its path, then `unrecognized_keys`), without zod's
 * object class, which was the largest part of zod in the script tag. It checks and does not copy:
 * the output is the input (no schema of ours transforms).
 */
export const strictObject = <S extends z.core.$ZodShape>(shape: S) =>
  z.unknown().check((payload) => {
    const value = payload.value as Record<string, unknown>
    if (typeof value != 'object' || !value || Array.isArray(value)) {
      payload.issues.push({ code: 'invalid_type', expected: 'object', input: value })
      return
    }
    for (const key in shape) {
      // Every schema of ours is synchronous: the payload, not a promise.
      const field = shape[key]!._zod.run({ value: value[key], issues: [] }, { async: false }) as z.core.ParsePayload
      for (const issue of field.issues) payload.issues.push({ ...issue, path: [key, ...(issue.path ?? [])] })
    }
    const keys = Object.keys(value).filter((key) => !(key in shape))
    if (keys.length) payload.issues.push({ code: 'unrecognized_keys', keys, input: value })
  }) as unknown as z.ZodMiniType<z.output<z.ZodMiniObject<S, z.core.$strict>>>
