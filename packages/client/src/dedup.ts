import { parseCursor } from '@pushline/core'

/**
 * Exactly-once delivery on top of at-least-once transports. A subscription keeps ONE position: the cursor of the
 * last thing the application saw (or a position a gapless stream vouched for). Every stream and poll is gapless after
 * the cursor it started from and every connection starts from the position, so "deliver only what is strictly after
 * the position" merges any number of overlapping connections (reconnects, make-before-break upgrades) into one
 * stream with no loss, no repeat and no reordering. Cursors of another epoch never pass: only a reset changes epoch.
 */
export function isAfter(position: string | undefined, cursor: string): boolean {
  if (position === undefined) return true
  const a = parseCursor(position)
  const b = parseCursor(cursor)
  return a.epoch === b.epoch && b.seq > a.seq
}

/** A reset is taken when it moves the position: to another epoch, or forward in this one (an expired cursor). */
export function isNewReset(position: string | undefined, resetCursor: string): boolean {
  if (position === undefined) return true
  const a = parseCursor(position)
  const b = parseCursor(resetCursor)
  return a.epoch !== b.epoch || b.seq > a.seq
}
