import type { LogEvent, LogListener } from '@pushline/core'

/**
 * One local listener or waiter as the reader sees it. It is delivered the events of its channels with a sequence
 * above `after` (its threshold): the head of the log when it was registered, read on the command connection so
 * that it is ordered with this process's own appends and reads.
 */
export interface Subscription {
  readonly channels: readonly string[]
  /** Threshold sequence; set once known. */
  after: number
  /** Epoch the threshold belongs to; undefined when it could not be read (Redis was unreachable). */
  epoch: string | undefined
  /** The threshold is not exact: tell the subscriber to re-read (listener: onGap; waiter: resolve). */
  gap: boolean
  done: boolean
  /** Returns false once the subscription wants nothing more (a resolved waiter). */
  deliver(event: LogEvent): boolean
  /** Live delivery could not be guaranteed; returns false once the subscription wants nothing more. */
  gapped(): boolean
}

export function listenerSubscription(channels: readonly string[], listener: LogListener): Subscription {
  return {
    channels,
    after: 0,
    epoch: undefined,
    gap: false,
    done: false,
    deliver(event) {
      listener.onEvent(event)
      return true
    },
    gapped() {
      listener.onGap?.()
      return true
    },
  }
}

export function waiterSubscription(channels: readonly string[], wake: () => void): Subscription {
  return {
    channels,
    after: 0,
    epoch: undefined,
    gap: false,
    done: false,
    deliver() {
      wake()
      return false
    },
    gapped() {
      wake()
      return false
    },
  }
}
