import { ServerErrors, tooMany } from '../errors.js'

/** Clients whose count may stay in the map at zero: beyond it, a client's key goes with its last slot. */
const KEEP_IDLE = 1024

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

  /**
   * Gives back a slot `take` gave. A client's count may stay at zero (up to `KEEP_IDLE` clients): a long-poller takes
   * and gives a slot per poll, and deleting and re-adding its key every time churns the map (~1 µs a poll, issue 15).
   */
  give(key: string): void {
    this.total--
    const left = (this.perClient.get(key) ?? 1) - 1
    if (left > 0 || this.perClient.size <= KEEP_IDLE) this.perClient.set(key, Math.max(0, left))
    else this.perClient.delete(key)
  }

  get size(): number {
    return this.total
  }

  /** Client keys tracked, those at zero included (bounded by the clients holding slots plus `KEEP_IDLE`). */
  get clients(): number {
    return this.perClient.size
  }
}
