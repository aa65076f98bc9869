/** One event as every transport carries it: `{"channel","cursor","data"}`. */
export interface LogEvent<T = unknown> {
  readonly channel: string
  readonly cursor: string
  readonly data: T
}

export type ResetReason = 'expired' | 'epoch'

/**
 * The explicit answer to a cursor the log can no longer serve without a gap: older than what is retained
 * (`expired`) or from another history of the log (`epoch`). `cursor` is where to resume: just before the oldest
 * event still retained, so a resuming reader gets everything the log still has.
 */
export interface Reset {
  readonly type: 'reset'
  readonly reason: ResetReason
  readonly cursor: string
}

export interface EventBatch {
  readonly type: 'events'
  /** In log order, at most `limit` of them. */
  readonly events: readonly LogEvent[]
  /**
   * Where the next read continues. When `more` is false this is the log's head at the time of the read (everything
   * up to it on these channels has been returned), so a reader of a quiet channel does not fall behind retention.
   */
  readonly cursor: string
  /** True when the batch was cut by `limit`/`maxBytes` and more events are waiting. */
  readonly more: boolean
}

export type ReadResult = EventBatch | Reset
