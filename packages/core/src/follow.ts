import { parseCursor } from './cursor.js'
import { CoreErrorCode, isPushlineError, PushlineError } from './errors.js'
import type { LogEvent, Reset } from './event.js'
import type { EventLog } from './log.js'

export interface FollowHandlers {
  /** Every event on the channels after the start cursor, in log order, each exactly once. */
  onEvent(event: LogEvent): void
  /** The cursor could not be served without a gap; following continues from `reset.cursor`. */
  onReset(reset: Reset): void
  /** The log failed (e.g. Redis unreachable); following has stopped. Resume later from `follower.cursor`. */
  onError(error: PushlineError): void
}

export interface FollowOptions {
  /** Events per catch-up read (default 1000). */
  readonly batchLimit?: number
  /** Live events held while catching up before re-reading instead (default 10,000). */
  readonly maxBuffered?: number
}

export interface Follower {
  /** The position of the last event handed over (or the latest position known to have nothing more). */
  readonly cursor: string
  /** True once catch-up is done and events are delivered as they are appended. */
  readonly live: boolean
  close(): void
}

/**
 * Follows `channels` from `after`: catches up by reading, then switches to live delivery with no gap and no
 * duplicate, however appends race with the switch. The listener is registered BEFORE the first read, so every
 * event appended meanwhile is either in a read or in the buffer; the sequence number drops what is in both.
 */
export function follow(
  log: EventLog,
  channels: readonly string[],
  after: string,
  handlers: FollowHandlers,
  options: FollowOptions = {},
): Follower {
  const batchLimit = options.batchLimit ?? 1000
  const maxBuffered = options.maxBuffered ?? 10_000
  let cursor = after
  let position = parseCursor(after).seq
  let live = false
  let closed = false
  let buffer: LogEvent[] = []
  let overflowed = false
  let catchingUp = false

  const deliver = (event: LogEvent): void => {
    const seq = seqOf(event)
    if (seq <= position) return
    position = seq
    cursor = event.cursor
    handlers.onEvent(event)
  }

  const fail = (error: unknown): void => {
    if (closed) return
    closed = true
    unlisten()
    handlers.onError(
      isPushlineError(error)
        ? error
        : new PushlineError(CoreErrorCode.LogUnavailable, 'the event log failed', { statusCode: 503, cause: error }),
    )
  }

  const catchUp = async (): Promise<void> => {
    if (catchingUp) return
    catchingUp = true
    try {
      while (!closed) {
        const result = await log.read(channels, cursor, { limit: batchLimit })
        if (closed) return
        if (result.type === 'reset') {
          cursor = result.cursor
          position = parseCursor(result.cursor).seq
          buffer = []
          overflowed = false
          handlers.onReset(result)
          continue
        }
        for (const event of result.events) {
          if (closed) return
          deliver(event)
        }
        if (result.more) continue
        const readTo = parseCursor(result.cursor).seq
        if (readTo > position) {
          position = readTo
          cursor = result.cursor
        }
        const pending = buffer
        buffer = []
        if (overflowed) {
          overflowed = false
          continue
        }
        for (const event of pending) {
          if (closed) return
          deliver(event)
        }
        live = true
        return
      }
    } catch (error) {
      fail(error)
    } finally {
      catchingUp = false
    }
  }

  const unlisten = log.listen(channels, {
    onEvent(event) {
      if (closed) return
      if (live) {
        try {
          deliver(event)
        } catch (error) {
          fail(error)
        }
      } else if (buffer.length < maxBuffered) buffer.push(event)
      else overflowed = true
    },
    onGap() {
      if (closed) return
      if (!live) {
        overflowed = true
        return
      }
      live = false
      buffer = []
      void catchUp()
    },
  })
  void catchUp()

  return {
    get cursor() {
      return cursor
    },
    get live() {
      return live
    },
    close() {
      if (closed) return
      closed = true
      buffer = []
      unlisten()
    },
  }
}

let lastEvent: LogEvent | undefined
let lastSeq = 0

/**
 * The sequence number of an event's cursor. A fan-out hands the same event to every follower in turn, so the last
 * answer is kept: one parse per event, not one per subscriber. Cursors the log hands out are well formed: the
 * sequence is what follows the last dash (no regex).
 */
function seqOf(event: LogEvent): number {
  if (event !== lastEvent) {
    lastSeq = Number(event.cursor.slice(event.cursor.lastIndexOf('-') + 1))
    lastEvent = event
  }
  return lastSeq
}
