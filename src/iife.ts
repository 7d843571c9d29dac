// The <script>-tag build, on the global `TimebackTracker`: the tracker and the event builders.
// Envelope/event schemas for servers stay out of it (they are in the ESM and proxy entries).
export {
  buildActivityEvent,
  buildEnvelope,
  buildTimeSpentEvent,
  SUBJECTS,
  TimebackValidationError,
} from './events/index.js'
