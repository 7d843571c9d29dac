/**
 * What a cooperating cross-origin frame posts to the page embedding it when the student gives
 * it input. A plain string: nothing about the student crosses the origin boundary.
 */
export const FRAME_INPUT = 'timeback:input'
