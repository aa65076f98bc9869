import { ServerErrors, tooMany } from '../errors.js'

/**
 * Counts open connections, in total and per client key; refuses (never queues) beyond the limits. A holder takes a
 * slot once and gives it back once (the connection lifecycle does both), so no closure or object per slot.
 */
export class ConnectionLimiter {
  private total = 0
  private readonly perClient = new Map<string, number>()

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** Takes a slot for `key`, or throws 429 (with a retry time) when `key` may not open one more connection now. */
  take(key: string): void {
    if (this.total >= this.maxTotal) {
      throw tooMany(ServerErrors.LimitConnections, `the server has reached its ${this.maxTotal} connections`, 5)
    }
    const held = this.perClient.get(key) ?? 0
    if (held >= this.maxPerClient) {
      throw tooMany(ServerErrors.LimitClientConnections, `at most ${this.maxPerClient} connections per client`, 5)
    }
    this.total++
    this.perClient.set(key, held + 1)
  }

  /** Gives back a slot `take` gave. */
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
