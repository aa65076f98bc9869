import { CoreErrors } from './error-codes.js'
import type { PushlineError } from './errors.js'

interface Waiter {
  readonly channels: readonly string[]
  resolve(): void
  reject(error: unknown): void
}

/**
 * Waiters indexed by channel: waking a channel touches only its own waiters, never every waiter of the log.
 * A log implementation calls `wake(channel)` after each append (or each event its reader sees).
 */
export class WaiterRegistry {
  private readonly byChannel = new Map<string, Set<Waiter>>()
  private count = 0

  get size(): number {
    return this.count
  }

  wait(channels: readonly string[], signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(aborted(signal))
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.remove(waiter)
        reject(aborted(signal))
      }
      const waiter: Waiter = {
        channels,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        },
      }
      for (const channel of channels) {
        let set = this.byChannel.get(channel)
        if (!set) {
          set = new Set()
          this.byChannel.set(channel, set)
        }
        set.add(waiter)
      }
      this.count++
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  wake(channel: string): void {
    const set = this.byChannel.get(channel)
    if (!set) return
    for (const waiter of [...set]) {
      this.remove(waiter)
      waiter.resolve()
    }
  }

  closeAll(error: unknown): void {
    const all = new Set<Waiter>()
    for (const set of this.byChannel.values()) for (const waiter of set) all.add(waiter)
    for (const waiter of all) {
      this.remove(waiter)
      waiter.reject(error)
    }
  }

  private remove(waiter: Waiter): void {
    let removed = false
    for (const channel of waiter.channels) {
      const set = this.byChannel.get(channel)
      if (!set?.delete(waiter)) continue
      removed = true
      if (set.size === 0) this.byChannel.delete(channel)
    }
    if (removed) this.count--
  }
}

function aborted(signal: AbortSignal | undefined): PushlineError {
  return CoreErrors.LogAborted.create('the wait was aborted', { cause: signal?.reason })
}
