// timeback-tracker is linked from this repository (package.json: "file:../.."), outside this
// folder: let Turbopack read the repository.
import { fileURLToPath } from 'node:url'

export default {
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
}
