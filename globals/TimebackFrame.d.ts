// Types for the frame's script tag (`timeback-tracker/frame/iife`,
// dist/timeback-tracker-frame.iife.min.js), which is no module: it puts `forwardInput` on the
// global `TimebackFrame`. A TypeScript page script inside the iframe gets that global with
// `/// <reference types="timeback-tracker/frame/iife" />`. This file exports nothing so that
// `import … from 'timeback-tracker/frame/iife'` cannot type-check: the bundle has no exports.
declare global {
  /** What the frame's script tag defines (src/frame/index.ts): `forwardInput`, `FRAME_INPUT`. */
  var TimebackFrame: typeof import('../dist/types/frame/index.js')
}
export {}
