import type { Writable } from 'node:stream'

/** While flushing takes less than this share of the time, flushes run as soon as the current task is done. */
export const EAGER_FLUSH_DUTY = 0.1
/** Weight of the latest flush in the moving average of the flush duty. */
const DUTY_WEIGHT = 0.2

/** Time and timers of the scheduler; tests pass a manual one, where timing is the subject. */
export interface FlushClock {
  /** Milliseconds, monotonic. */
  now(): number
  /** Runs `run` after `ms` milliseconds. */
  later(run: () => void, ms: number): void
}

const REAL_CLOCK: FlushClock = {
  now: () => performance.now(),
  later: (run, ms) => {
    setTimeout(run, ms)
  },
}

interface Queued {
  readonly chunks: Buffer[]
  bytes: number
}

/**
 * Coalesces socket writes, with a flush timing that adapts to load.
 *
 * Frames written to a socket are queued here; one shared flush hands each socket everything queued for it in ONE
 * buffer, one write call and one syscall, however many frames it holds. Sockets that were given the same frames
 * share the same joined buffer: a fan-out of k events to N subscribers joins them once, not N times.
 *
 * When the flush runs depends on the flush duty, the share of time recent flushes took (a moving average):
 * - light load (under 10 %: a quiet stream, or a big fan-out now and then): in a microtask, before the publish that
 *   caused the writes is answered. The event reaches its subscribers first; nothing waits for a loop turn.
 * - heavy load (thousands of sockets at a steady rate, where the write syscalls dominate the server's CPU): the
 *   next flush waits as long as the last one took, up to `maxDelayMs` (at least until the next loop turn), so
 *   flushing takes about half the CPU at most. The events published meanwhile join the same write: as the load
 *   grows each syscall carries more events, instead of one syscall per socket per event until the loop falls
 *   behind. This is write coalescing with a latency bound, like Nagle's algorithm or Kafka's `linger.ms`, but
 *   adaptive: no delay at all under light load.
 */
export class FlushScheduler {
  private queued = new Map<Writable, Queued>()
  private scheduled = false
  private lastFlushEnd = 0
  private duty = 0
  /** The clock's time before which the next flush waits (heavy load only). */
  private notBefore = 0

  /**
   * @param maxDelayMs longest wait under heavy load; 0 flushes every loop turn.
   * @param onFlushed called once per flush with the clock's time at its end (the delivery-lag metric).
   */
  constructor(
    private readonly maxDelayMs: number,
    private readonly clock: FlushClock = REAL_CLOCK,
    private readonly onFlushed?: (end: number) => void,
  ) {}

  /** Queues `chunk` for `target`, after whatever is queued for it already. */
  write(target: Writable, chunk: Buffer): void {
    const queued = this.queued.get(target)
    if (queued) {
      queued.chunks.push(chunk)
      queued.bytes += chunk.length
      return
    }
    this.queued.set(target, { chunks: [chunk], bytes: chunk.length })
    if (!this.scheduled) this.schedule()
  }

  /** Bytes queued here for `target`, not yet handed to it. */
  queuedBytes(target: Writable): number {
    return this.queued.get(target)?.bytes ?? 0
  }

  /** Hands `target` what is queued for it now (before ending it), or drops it if `target` is gone. */
  release(target: Writable): void {
    const queued = this.queued.get(target)
    if (!queued) return
    this.queued.delete(target)
    if (target.writable) target.write(joinedOf(queued.chunks, queued.bytes))
  }

  private schedule(): void {
    this.scheduled = true
    const wait = this.notBefore - this.clock.now()
    if (this.duty < EAGER_FLUSH_DUTY) queueMicrotask(this.flush)
    // Timers have a 1 ms granularity: a shorter wait goes to the next loop turn.
    else if (wait < 1) setImmediate(this.flush)
    else this.clock.later(this.flush, wait)
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const queued = this.queued
    this.queued = new Map()
    const start = this.clock.now()
    const joined = new JoinCache()
    for (const [target, { chunks, bytes }] of queued) {
      if (target.writable) target.write(chunks.length === 1 ? joinedOf(chunks, bytes) : joined.join(chunks, bytes))
    }
    const end = this.clock.now()
    const cost = end - start
    const share = cost / Math.max(end - this.lastFlushEnd, cost, 0.001)
    this.duty += (share - this.duty) * DUTY_WEIGHT
    this.lastFlushEnd = end
    this.notBefore = end + Math.min(this.maxDelayMs, cost)
    this.onFlushed?.(end)
  }
}

/**
 * Joined buffers of one flush, keyed by their first chunk: the subscribers of a channel are queued the very same
 * frame objects in the same order, so the first one that needs a join pays for it and the others reuse it.
 */
class JoinCache {
  private readonly byFirst = new Map<Buffer, { readonly chunks: readonly Buffer[]; readonly joined: Buffer }>()

  join(chunks: readonly Buffer[], bytes: number): Buffer {
    const first = chunks[0]
    if (!first) return EMPTY
    const hit = this.byFirst.get(first)
    if (hit && sameChunks(hit.chunks, chunks)) return hit.joined
    const joined = Buffer.concat(chunks, bytes)
    this.byFirst.set(first, { chunks, joined })
    return joined
  }
}

const EMPTY = Buffer.alloc(0)

/** The one buffer of `chunks`: the chunk itself when there is only one. */
function joinedOf(chunks: readonly Buffer[], bytes: number): Buffer {
  return chunks.length === 1 ? (chunks[0] ?? EMPTY) : Buffer.concat(chunks, bytes)
}

function sameChunks(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
