import type { LogEvent, ReadResult } from './event.js'

export interface ReadOptions {
  /** At most this many events (default 1000). */
  readonly limit?: number
  /** Stop adding events once the batch's serialized size reaches this many bytes (default 1 MiB; always >= 1 event). */
  readonly maxBytes?: number
}

/** What a live listener is told. Calls arrive in log order, once per appended event on the listened channels. */
export interface LogListener {
  onEvent(event: LogEvent): void
  /**
   * The log could not deliver some events live (e.g. its Redis connection dropped); the listener must read again
   * from its last cursor. The in-memory log never calls it.
   */
  onGap?(): void
}

/**
 * The event log: one ordered sequence of events across channels, read after a cursor. Async throughout so that
 * a networked implementation (Redis Streams) fits. Every implementation must pass `@pushline/core/conformance`.
 */
export interface EventLog {
  /** Appends `data` (any JSON value) to `channel`; resolves once the event is durable in the log. */
  append(channel: string, data: unknown): Promise<LogEvent>
  /** The cursor of "now": a reader starting from it sees only events appended later. */
  head(): Promise<string>
  /** Events on `channels` after `after`, oldest first; or a Reset when `after` cannot be served without a gap. */
  read(channels: readonly string[], after: string, options?: ReadOptions): Promise<ReadResult>
  /**
   * Resolves once there is an event on `channels` after `after` (at once if there already is one), or the cursor
   * needs a reset. Rejects with RT_ERR_LOG_ABORTED when `signal` aborts and RT_ERR_LOG_CLOSED when the log closes.
   */
  wait(channels: readonly string[], after: string, signal?: AbortSignal): Promise<void>
  /**
   * Live fan-out: `listener` gets every event appended to `channels` from now on. Returns the unlisten function.
   * **Active on return**: every append made through this log after `listen` returns is delivered, with no wait in
   * between (a networked log registers its threshold before returning, ordered with its own later appends; events
   * appended by other instances are delivered once they reach the backend after that registration). After unlisten
   * returns, nothing more is delivered.
   */
  listen(channels: readonly string[], listener: LogListener): () => void
  /** Releases resources; pending waits reject with RT_ERR_LOG_CLOSED. */
  close(): Promise<void>
}
