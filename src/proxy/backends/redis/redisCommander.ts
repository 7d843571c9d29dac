/** A connected node-redis client (v4 or later), or anything with the same `sendCommand`. */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>
}
