import { ServerErrorCode, tooMany } from '../errors.js'

/** Counts open connections, in total and per client key; refuses (never queues) beyond the limits. */
export class ConnectionLimiter {
  private total = 0
  private readonly perClient = new Map<string, number>()

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** Throws 429 when `key` may not open one more connection now. */
  check(key: string): void {
    if (this.total >= this.maxTotal) {
      throw tooMany(ServerErrorCode.LimitConnections, `the server has reached its ${this.maxTotal} connections`, 5)
    }
    if ((this.perClient.get(key) ?? 0) >= this.maxPerClient) {
      throw tooMany(ServerErrorCode.LimitClientConnections, `at most ${this.maxPerClient} connections per client`, 5)
    }
  }

  /** Takes a slot for `key` (throwing like `check`); the returned function gives it back, once. */
  acquire(key: string): () => void {
    this.take(key)
    let released = false
    return () => {
      if (released) return
      released = true
      this.give(key)
    }
  }

  /** `acquire` without the closure, for a holder that gives its slot back once by itself (a WebSocket). */
  take(key: string): void {
    this.check(key)
    this.total++
    this.perClient.set(key, (this.perClient.get(key) ?? 0) + 1)
  }

  give(key: string): void {
    this.total--
    const left = (this.perClient.get(key) ?? 1) - 1
    if (left <= 0) this.perClient.delete(key)
    else this.perClient.set(key, left)
  }

  get size(): number {
    return this.total
  }
}
