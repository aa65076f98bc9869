import type { Writable } from 'node:stream'

/**
 * Coalesces writes per tick: the first write to a socket in a tick corks it, and one shared `process.nextTick`
 * uncorks every socket written to in that tick. A fan-out of one event to N subscribers, or of a burst of events
 * published in one tick, thus costs one writev per socket instead of one syscall per frame.
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
        process.nextTick(this.flush)
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
