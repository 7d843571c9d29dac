import type { AuthorizedUser } from './authorizedUser.js'
import type { DeliveryClaims, DeliveryTokens } from './deliveryToken.js'

/** The student a request's events are delivered for on the strength of its token, or why not. */
export type TokenStudent = { ok: true; user: AuthorizedUser; claims: DeliveryClaims } | { ok: false; reason: string }

/** The actor id of each event that has one (the rest are refused by the schema later). */
export const actorIds = (data: unknown[]) =>
  data.flatMap((e) => {
    const id = (e as { actor?: { id?: unknown } } | null)?.actor?.id
    return typeof id === 'string' ? [id] : []
  })

/**
 * Whom a request's events (none of them the signed-in student's) are delivered for: the student
 * its delivery token names, when the token is valid (see `DeliveryTokens.verify`) and every event
 * is that student's. One envelope carries one student; a token never acts for another.
 */
export async function tokenStudent(tokens: DeliveryTokens, token: unknown, data: unknown[], app: string, arrived: number): Promise<TokenStudent> {
  const check = await tokens.verify(token, app, arrived)
  if (!check.ok) return check
  const { sub, email } = check.claims
  const actors = actorIds(data)
  if (!actors.length || actors.some((id) => id !== sub)) {
    return { ok: false, reason: 'the delivery token is for another student' }
  }
  return { ok: true, user: email === undefined ? { id: sub } : { id: sub, email }, claims: check.claims }
}
