import type { ActivityContextInput, TimebackActor } from './contextSchemas.js'
import type { TimebackActivityContext, TimebackUser } from './eventTypes.js'

/** The event `actor` for a validated app-level actor. */
export function toTimebackUser(actor: TimebackActor): TimebackUser {
  const user: TimebackUser = { id: actor.id, type: 'TimebackUser', email: actor.email }
  if (actor.name !== undefined) user.name = actor.name
  if (actor.role !== undefined) user.role = actor.role
  return user
}

/** The event `object` for a validated activity context; drops absent optional parts. */
export function toActivityContext(input: ActivityContextInput): TimebackActivityContext {
  const context: TimebackActivityContext = {
    id: input.id,
    type: 'TimebackActivityContext',
    subject: input.subject,
    app: strip(input.app),
  }
  if (input.activity) context.activity = strip(input.activity)
  if (input.course) context.course = { id: input.course.id, name: input.course.name }
  return context
}

function strip(part: { name: string; id?: string | undefined }): { name: string; id?: string } {
  return part.id === undefined ? { name: part.name } : { name: part.name, id: part.id }
}
