import {
  CoreErrors,
  type EventLog,
  type Follower,
  type FollowHandlers,
  follow,
  isPushlineError,
  type LogEvent,
  type PushlineError,
  type Reset,
} from '@pushline/core'
import type { TransportCounters } from './metrics.js'
import type { ResolvedOptions } from './options.js'

/** Where a session's frames go: a socket-like writer that reports what it still has to send. */
export interface StreamSink {
  write(chunk: Buffer): void
  /** Bytes written but not yet handed to the kernel. */
  pending(): number
  /** Resolves when the pending bytes drain or the connection ends. */
  drained(): Promise<void>
}

export interface StreamEncoder {
  event(event: LogEvent): Buffer
  reset(reset: Reset): Buffer
}

export interface SessionHandlers {
  /** More than `maxBufferedBytes` are pending: the client does not read fast enough. */
  onSlowConsumer(): void
  /** The log failed; the session has stopped. */
  onError(error: PushlineError): void
}

export interface SessionOptions {
  readonly maxBufferedBytes: number
  readonly batchEvents: number
  readonly batchBytes: number
}

const sessionOptions = new WeakMap<ResolvedOptions, SessionOptions>()

/** The session options of a plugin's options: one object per plugin, not one per subscription. */
export function sessionOptionsOf(options: ResolvedOptions): SessionOptions {
  let found = sessionOptions.get(options)
  if (!found) {
    const { limits } = options
    found = { maxBufferedBytes: limits.maxBufferedBytes, batchEvents: limits.maxBatchEvents, batchBytes: limits.maxBatchBytes }
    sessionOptions.set(options, found)
  }
  return found
}

/**
 * Streams `channels` after `cursor` into `sink`. The backlog is read in batches that wait for the socket to drain
 * (a long catch-up never buffers more than about the high-water mark), then core's `follow()` takes over for live
 * delivery with no gap and no duplicate. Live events are written as they come; a sink over its high-water mark is
 * reported as a slow consumer instead of buffering without bound.
 */
export function startSession(
  log: EventLog,
  channels: readonly string[],
  cursor: string,
  sink: StreamSink,
  encoder: StreamEncoder,
  counters: TransportCounters,
  handlers: SessionHandlers,
  options: SessionOptions,
): { close(): void } {
  const session = new Session(log, sink, encoder, counters, handlers, options)
  session.start(channels, cursor)
  return session
}

/** One session: an object with methods, not a dozen closures, since every idle subscriber holds one. */
class Session implements FollowHandlers {
  private closed = false
  private follower: Follower | undefined

  constructor(
    private readonly log: EventLog,
    private readonly sink: StreamSink,
    private readonly encoder: StreamEncoder,
    private readonly counters: TransportCounters,
    private readonly handlers: SessionHandlers,
    private readonly options: SessionOptions,
  ) {}

  start(channels: readonly string[], cursor: string): void {
    this.run(channels, cursor).catch((error: unknown) => {
      if (this.closed) return
      this.handlers.onError(isPushlineError(error) ? error : CoreErrors.LogUnavailable.create(undefined, { cause: error }))
    })
  }

  close(): void {
    this.closed = true
    this.follower?.close()
  }

  onEvent(event: LogEvent): void {
    if (this.closed) return
    this.writeEvent(event)
    if (this.sink.pending() > this.options.maxBufferedBytes) this.handlers.onSlowConsumer()
  }

  onReset(reset: Reset): void {
    if (!this.closed) this.writeReset(reset)
  }

  onError(error: PushlineError): void {
    if (!this.closed) this.handlers.onError(error)
  }

  private async run(channels: readonly string[], cursor: string): Promise<void> {
    const { log, options, sink } = this
    let position = cursor
    for (;;) {
      const result = await log.read(channels, position, { limit: options.batchEvents, maxBytes: options.batchBytes })
      if (this.closed) return
      if (result.type === 'reset') {
        this.writeReset(result)
        position = result.cursor
        continue
      }
      for (const event of result.events) this.writeEvent(event)
      position = result.cursor
      if (!result.more) break
      if (sink.pending() > options.maxBufferedBytes / 2) await sink.drained()
      if (this.closed) return
    }
    this.follower = follow(log, channels, position, this)
  }

  private writeEvent(event: LogEvent): void {
    this.sink.write(this.encoder.event(event))
    this.counters.eventsSent++
  }

  private writeReset(reset: Reset): void {
    this.sink.write(this.encoder.reset(reset))
    this.counters.resets++
  }
}
