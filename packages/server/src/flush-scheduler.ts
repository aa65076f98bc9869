import type { Writable } from 'node:stream'

/**
 * Coalesces writes per event-loop turn: the first write to a socket corks it, and one shared `setImmediate` uncorks
 * every socket written to since. A fan-out of one event to N subscribers, or of every event published in the same
 * turn (several publish requests read from the network at once), thus costs one writev per socket instead of one
 * syscall per frame. `setImmediate` rather than `process.nextTick`: nextTick fires after each publish's own
 * callbacks, so each event would still leave in its own syscall; the delay added is at most one loop turn.
 */
export class FlushScheduler {
  private corked = new Set<Writable>()
  private scheduled = false

  write(target: Writable, chunk: Buffer): void {
    if (!this.corked.has(target)) {
      target.cork()
      this.corked.add(target)
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(this.flush)
      }
    }
    target.write(chunk)
  }

  /** Uncorks `target` now (before ending or destroying it). */
  release(target: Writable): void {
    if (this.corked.delete(target)) target.uncork()
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const corked = this.corked
    this.corked = new Set()
    for (const target of corked) target.uncork()
  }
}
