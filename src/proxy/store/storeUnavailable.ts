/**
 * The ledger, the time budget or the rate limits failed (a database down, restarting or failing
 * over). The request is answered 503 with `Retry-After`; ids it had claimed are released if the
 * ledger still answers, else they stay claimed until their lease ends.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the ledger, time budget or rate limits failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause })
    this.name = 'StoreUnavailableError'
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function'

/**
 * `store` (a ledger or a time budget, of any class) with each failure of its methods, thrown
 * or rejected, turned into a `StoreUnavailableError`, so the proxy tells a database's fault from
 * its own bugs. A method returning a store (a ledger for one student) returns it guarded too.
 */
export function guardStore<T extends object>(store: T): T {
  const fail = (error: unknown): never => {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error)
  }
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        let result: unknown
        try {
          result = value.apply(target, args)
        } catch (error) {
          fail(error)
        }
        if (isThenable(result)) return Promise.resolve(result).catch(fail)
        return result !== null && typeof result === 'object' && !Array.isArray(result) ? guardStore(result) : result
      }
    },
  })
}
