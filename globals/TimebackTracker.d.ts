// Types for the script tag (`timeback-tracker/iife`, dist/timeback-tracker.iife.min.js), which is
// no module: it puts the tracker on the global `TimebackTracker`. A TypeScript page script gets
// that global with `/// <reference types="timeback-tracker/iife" />`. This file exports nothing
// so that `import … from 'timeback-tracker/iife'` cannot type-check: the bundle has no exports.
declare global {
  /** What the script tag defines (src/iife.ts): `createTracker`, its errors and `SUBJECTS`. */
  var TimebackTracker: typeof import('../dist/types/iife.js')
}
export {}
