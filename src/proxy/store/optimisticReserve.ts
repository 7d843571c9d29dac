/** Tries before a reservation gives up (the request fails and the tracker sends it again). */
const MAX_RESERVE_ATTEMPTS = 50

/**
 * Runs `attempt` (read, place, compare-and-write) until a write wins: `attempt` resolves
 * undefined when another instance changed the student's spans between its read and its write.
 * Waits a little, growing and jittered, between tries so contenders spread out.
 */
export async function reserveOptimistically(attempt: () => Promise<number[] | undefined>): Promise<number[]> {
  for (let tries = 1; ; tries++) {
    const granted = await attempt()
    if (granted) return granted
    if (tries >= MAX_RESERVE_ATTEMPTS) {
      throw new Error(`time budget: ${tries} concurrent writes for one student in a row; try again`)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 * tries)))
  }
}
