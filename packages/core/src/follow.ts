import { parseCursor } from './cursor.js'
import { CoreErrors } from './error-codes.js'
import { isPushlineError, type PushlineError } from './errors.js'
import type { LogEvent, Reset } from './event.js'
import type { EventLog, LogListener } from './log.js'

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
  return new Following(log, channels, after, handlers, options.batchLimit ?? 1000, options.maxBuffered ?? 10_000)
}

/**
 * The state of one follower, as fields and methods rather than captured variables and closures: every idle
 * subscriber holds one. It is also its own log listener.
 */
class Following implements Follower, LogListener {
  cursor: string
  live = false
  private position: number
  private closed = false
  /** Live events that came during catch-up; none (no array) once live, as most followers are. */
  private buffer: LogEvent[] | undefined
  private overflowed = false
  private catchingUp = false
  private readonly unlisten: () => void

  constructor(
    private readonly log: EventLog,
    private readonly channels: readonly string[],
    after: string,
    private readonly handlers: FollowHandlers,
    private readonly batchLimit: number,
    private readonly maxBuffered: number,
  ) {
    this.cursor = after
    this.position = parseCursor(after).seq
    this.unlisten = log.listen(channels, this)
    void this.catchUp()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.buffer = undefined
    this.unlisten()
  }

  onEvent(event: LogEvent): void {
    if (this.closed) return
    if (this.live) {
      try {
        this.deliver(event)
      } catch (error) {
        this.fail(error)
      }
    } else if (this.buffer === undefined) this.buffer = [event]
    else if (this.buffer.length < this.maxBuffered) this.buffer.push(event)
    else this.overflowed = true
  }

  onGap(): void {
    if (this.closed) return
    if (!this.live) {
      this.overflowed = true
      return
    }
    this.live = false
    this.buffer = undefined
    void this.catchUp()
  }

  private deliver(event: LogEvent): void {
    const seq = seqOf(event)
    if (seq <= this.position) return
    this.position = seq
    this.cursor = event.cursor
    this.handlers.onEvent(event)
  }

  private fail(error: unknown): void {
    if (this.closed) return
    this.closed = true
    this.unlisten()
    this.handlers.onError(
      isPushlineError(error) ? error : CoreErrors.LogUnavailable.create('the event log failed', { cause: error }),
    )
  }

  private async catchUp(): Promise<void> {
    if (this.catchingUp) return
    this.catchingUp = true
    try {
      while (!this.closed) {
        const result = await this.log.read(this.channels, this.cursor, { limit: this.batchLimit })
        if (this.closed) return
        if (result.type === 'reset') {
          this.cursor = result.cursor
          this.position = parseCursor(result.cursor).seq
          this.buffer = undefined
          this.overflowed = false
          this.handlers.onReset(result)
          continue
        }
        for (const event of result.events) {
          if (this.closed) return
          this.deliver(event)
        }
        if (result.more) continue
        const readTo = parseCursor(result.cursor).seq
        if (readTo > this.position) {
          this.position = readTo
          this.cursor = result.cursor
        }
        const pending = this.buffer
        this.buffer = undefined
        if (this.overflowed) {
          this.overflowed = false
          continue
        }
        for (const event of pending ?? []) {
          if (this.closed) return
          this.deliver(event)
        }
        this.live = true
        return
      }
    } catch (error) {
      this.fail(error)
    } finally {
      this.catchingUp = false
    }
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
