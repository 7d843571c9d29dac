/** A connected node-redis client (v4 or later), or anything with the same `sendCommand`. */
export interface RedisClientCommander {
  /** Sends one command (`['EVALSHA', sha, …]`) and resolves with its reply. */
  sendCommand(args: string[]): Promise<unknown>
}

/** A connected node-redis cluster (`createCluster`, v4 or later): routes a command by its first key. */
export interface RedisClusterCommander {
  /** Sends one command to the node that owns `firstKey`'s hash slot and resolves with its reply. */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>
}

/** What the Redis ledger runs on: a node-redis client or cluster. */
export type RedisCommander = RedisClientCommander | RedisClusterCommander

/** node-redis's cluster, told from a client by what only a cluster has (v4: `getMasters`, v5: `masters`). */
export const isRedisCluster = (client: RedisCommander): client is RedisClusterCommander => 'masters' in client || 'getMasters' in client
