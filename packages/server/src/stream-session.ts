import {
  CoreErrorCode,
  type EventLog,
  type Follower,
  follow,
  isPushlineError,
  type LogEvent,
  PushlineError,
  type Reset,
} from '@pushline/core'
import type { TransportCounters } from './metrics.js'

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
  let closed = false
  let follower: Follower | undefined

  const writeEvent = (event: LogEvent): void => {
    sink.write(encoder.event(event))
    counters.eventsSent++
  }
  const writeReset = (reset: Reset): void => {
    sink.write(encoder.reset(reset))
    counters.resets++
  }

  const run = async (): Promise<void> => {
    let position = cursor
    for (;;) {
      const result = await log.read(channels, position, { limit: options.batchEvents, maxBytes: options.batchBytes })
      if (closed) return
      if (result.type === 'reset') {
        writeReset(result)
        position = result.cursor
        continue
      }
      for (const event of result.events) writeEvent(event)
      position = result.cursor
      if (!result.more) break
      if (sink.pending() > options.maxBufferedBytes / 2) await sink.drained()
      if (closed) return
    }
    follower = follow(log, channels, position, {
      onEvent(event) {
        if (closed) return
        writeEvent(event)
        if (sink.pending() > options.maxBufferedBytes) handlers.onSlowConsumer()
      },
      onReset(reset) {
        if (!closed) writeReset(reset)
      },
      onError(error) {
        if (!closed) handlers.onError(error)
      },
    })
  }

  run().catch((error: unknown) => {
    if (closed) return
    handlers.onError(
      isPushlineError(error)
        ? error
        : new PushlineError(CoreErrorCode.LogUnavailable, 'the event log failed', { statusCode: 503, cause: error }),
    )
  })

  return {
    close() {
      closed = true
      follower?.close()
    },
  }
}
