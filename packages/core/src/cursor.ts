import { CoreErrors } from './error-codes.js'

/**
 * A cursor names a position in one log: `<epoch>-<seq>`. The epoch changes whenever the log's history is lost
 * (an in-memory log after a restart, a flushed Redis); the sequence is one counter across all channels of the log,
 * so ONE cursor resumes a subscription to any set of channels. Outside this package cursors are opaque strings.
 */
export interface CursorPosition {
  readonly epoch: string
  readonly seq: number
}

const CURSOR_RE = /^([a-z0-9]{1,32})-(0|[1-9][0-9]{0,15})$/

export function formatCursor(epoch: string, seq: number): string {
  // Flat (`join`): a template literal of this length is a V8 cons string, two objects per retained event.
  return [epoch, '-', seq].join('')
}

/** Parses a cursor, throwing RT_ERR_CURSOR_MALFORMED (400) for anything that is not one. */
export function parseCursor(cursor: string): CursorPosition {
  const match = typeof cursor === 'string' ? CURSOR_RE.exec(cursor) : null
  const seq = match ? Number(match[2]) : Number.NaN
  if (!match || !Number.isSafeInteger(seq)) {
    throw CoreErrors.CursorMalformed.create(`malformed cursor: ${JSON.stringify(cursor).slice(0, 80)}`)
  }
  return { epoch: match[1] ?? '', seq }
}

export function isCursor(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const match = CURSOR_RE.exec(value)
  return match !== null && Number.isSafeInteger(Number(match[2]))
}

/** Sequence number of a cursor known to be well formed (the client uses it to drop what it has already seen). */
export function cursorSeq(cursor: string): number {
  return parseCursor(cursor).seq
}

/** A fresh random epoch: 10 base-36 characters. */
export function newEpoch(): string {
  let epoch = ''
  while (epoch.length < 10) epoch += Math.floor(Math.random() * 36).toString(36)
  return epoch
}
