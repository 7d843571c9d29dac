export { createTracker } from './createTracker.js'
export type { StartOptions, Tracker, TrackerSnapshot } from './createTracker.js'
export type { Activity, ActivityStatus, CompleteOptions, CompletionResult } from './activityRunner.js'
export type { TrackerOptions, TrackerStorage } from './trackerOptions.js'
