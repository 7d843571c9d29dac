import { isRedisCluster, type RedisCommander } from './redisCommander.js'

/** Runs one of the backend's Lua scripts on `keys` (all in one hash slot) with `args`. */
export type RunScript = (script: string, keys: string[], args: string[]) => Promise<unknown>

const shas = new Map<string, Promise<string>>()

/** The SHA-1 EVALSHA names a script by, from web crypto: the same in Node, Deno and workerd. */
const shaOf = (script: string): Promise<string> => {
  let sha = shas.get(script)
  if (!sha) {
    sha = crypto.subtle
      .digest('SHA-1', new TextEncoder().encode(script))
      .then((digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join(''))
    shas.set(script, sha)
  }
  return sha
}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT')

/**
 * Calls scripts by hash (EVALSHA), so a request sends a few bytes rather than the script. (The
 * scripts are named string constants beside their backend, as BullMQ's build turns its `.lua`
 * files into: nothing to copy at build time or read from disk, so they load in any runtime.) A
 * server that does not know the script yet (first use, or its cache emptied by a restart or a
 * failover) answers NOSCRIPT; the script then goes once in full (EVAL), which also caches it
 * there. On a cluster each command goes to the node owning its first key's slot.
 */
export function createScriptRunner(client: RedisCommander): RunScript {
  const send = isRedisCluster(client)
    ? (args: string[], firstKey: string | undefined) => client.sendCommand(firstKey, false, args)
    : (args: string[]) => client.sendCommand(args)
  return async (script, keys, args) => {
    const rest = [String(keys.length), ...keys, ...args]
    try {
      return await send(['EVALSHA', await shaOf(script), ...rest], keys[0])
    } catch (error) {
      if (!isNoScript(error)) throw error
      return send(['EVAL', script, ...rest], keys[0])
    }
  }
}
