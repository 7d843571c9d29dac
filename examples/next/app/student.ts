// The signed-in student. A real app reads this from its session, on the server, and renders it
// into the page; the proxy's `authorize` looks up the same user from the request's cookie.
export const student = {
  id: 'https://example.org/oneroster/users/demo-student',
  email: 'demo.student@example.org',
}
