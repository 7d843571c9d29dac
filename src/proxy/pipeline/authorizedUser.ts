/** The signed-in student, as your session knows them. Events must carry this actor. */
export interface AuthorizedUser {
  id: string
  email?: string
}
