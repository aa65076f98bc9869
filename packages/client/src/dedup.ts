/**
 * Exactly-once delivery on top of at-least-once transports. A subscription keeps ONE position: the cursor of the
 * last thing the application saw (or a position a gapless stream vouched for). Every stream and poll is gapless after
 * the cursor it started from and every connection starts from the position, so "deliver only what is strictly after
 * the position" merges any number of overlapping connections (reconnects, make-before-break upgrades) into one
 * stream with no loss, no repeat and no reordering. Cursors of another epoch never pass: only a reset changes epoch.
 */
export function isAfter(position: string | undefined, cursor: string): boolean {
  return position === undefined || distance(position, cursor) > 0
}

/** A reset is taken when it moves the position: to another epoch, or forward in this one (an expired cursor). */
export function isNewReset(position: string | undefined, resetCursor: string): boolean {
  return position === undefined || !(distance(position, resetCursor) <= 0)
}

/**
 * How far `to` is after `from`; NaN across epochs. Cursors are `<epoch>-<seq>` (core's format; the epoch has no
 * '-'). Core's parseCursor validates and throws a coded error, which would pull core's whole error-code table into
 * the browser bundle; cursors here come from the server, and a malformed one compares as NaN (never "after").
 */
function distance(from: string, to: string): number {
  const a = from.lastIndexOf('-')
  const b = to.lastIndexOf('-')
  return from.slice(0, a) === to.slice(0, b) ? Number(to.slice(b + 1)) - Number(from.slice(a + 1)) : Number.NaN
}

/** True when `cursor` is at or after `position` in the same epoch. */
export function atOrAfter(cursor: string, position: string): boolean {
  return distance(position, cursor) >= 0
}
