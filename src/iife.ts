// The <script>-tag build, on the global `TimebackTracker`: the tracker, its errors and the
// event builders. Server-side envelope schemas stay out (they are in the ESM and proxy entries).
export { createTracker } from './tracker/createTracker.js'
export { TrackerError } from './trackerError.js'
export { TimebackValidationError } from './events/validationError.js'
export { SUBJECTS } from './events/constants.js'
