import type { SubscriptionHandle } from '@pushline/client'

/** When a subscription became positioned: its start cursor is fixed and every event published later reaches it. */
export interface ReadyRecord {
  /** The start cursor the subscription reported. */
  readonly cursor: string
  /** Wall-clock time it was positioned (ISO). */
  readonly at: string
  /** Milliseconds from `subscribe()` to positioned. */
  readonly afterMs: number
}

const FALLBACK_POLL_MS = 20

/**
 * Calls `onReady` once `sub` is positioned. A client with `sub.ready` (a promise of `{ cursor }`) says so itself;
 * with an older client (no `ready`) the first moment `sub.cursor` is known stands in for it. Returns a function that
 * stops waiting.
 */
export function whenPositioned(sub: SubscriptionHandle, subscribedAt: number, onReady: (ready: ReadyRecord) => void): () => void {
  let stopped = false
  const done = (cursor: string): void => {
    if (stopped) return
    stopped = true
    onReady({ cursor, at: new Date().toISOString(), afterMs: Math.round(performance.now() - subscribedAt) })
  }
  if ('ready' in sub && isThenable(sub.ready)) {
    sub.ready.then(
      (value) => {
        const cursor = cursorOf(value)
        if (cursor !== undefined) done(cursor)
      },
      // A subscription that never gets positioned reports why through its onError; nothing to record here.
      () => undefined,
    )
    return () => {
      stopped = true
    }
  }
  const timer = setInterval(() => {
    if (sub.cursor === undefined) return
    clearInterval(timer)
    done(sub.cursor)
  }, FALLBACK_POLL_MS)
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function'
}

function cursorOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('cursor' in value)) return undefined
  return typeof value.cursor === 'string' ? value.cursor : undefined
}
