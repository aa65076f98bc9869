/** When a subscription became positioned: its start cursor is fixed and every event published later reaches it. */
export interface ReadyRecord {
  /** The start cursor the subscription reported. */
  readonly cursor: string
  /** Wall-clock time it was positioned (ISO). */
  readonly at: string
  /** Milliseconds from `subscribe()` to positioned. */
  readonly afterMs: number
}

/**
 * What `whenPositioned` needs of a subscription handle: `ready` where the client has it (a promise of the start
 * cursor), else `cursor`.
 */
export interface Positionable {
  readonly cursor: string | undefined
  readonly ready?: PromiseLike<unknown>
}

const FALLBACK_POLL_MS = 20

/**
 * Calls `onReady` once `sub` is positioned. A client with `sub.ready` (a promise of `{ cursor }`) says so itself;
 * with an older client (no `ready`) the first moment `sub.cursor` is known stands in for it. Returns a function that
 * stops waiting.
 */
export function whenPositioned(sub: Positionable, subscribedAt: number, onReady: (ready: ReadyRecord) => void): () => void {
  let stopped = false
  const done = (cursor: string): void => {
    if (stopped) return
    stopped = true
    onReady({ cursor, at: new Date().toISOString(), afterMs: Math.round(performance.now() - subscribedAt) })
  }
  if (sub.ready) {
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

function cursorOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('cursor' in value)) return undefined
  return typeof value.cursor === 'string' ? value.cursor : undefined
}
