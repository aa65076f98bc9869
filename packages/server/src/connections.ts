import type { IdentityFields } from './register.js'

/** What the plugin can ask of every open connection, whatever its transport. */
export interface LiveConnection {
  /** Called every `heartbeatMs`: streams write a heartbeat frame, WebSockets also ping. */
  heartbeat(): void
  /** The server is closing: tell the client to reconnect elsewhere and end; resolves once the connection is gone. */
  shutdown(): Promise<void>
  /** Who it is (none without an authenticate hook). */
  readonly who?: IdentityFields | undefined
  /** Ends it with 401 RT_ERR_AUTH_REVOKED; false when it was already gone. */
  revoke?(reason: string | undefined): boolean
}

/** A heartbeat round is spread over this many ticks, so N connections never all write in the same turn. */
export const HEARTBEAT_SLICES = 10

/**
 * Every open connection of the plugin, so that one shared timer heartbeats them all (no timer per connection)
 * and shutdown reaches each of them. The timer ticks every `heartbeatMs / 10` and heartbeats the next tenth of
 * the connections: every connection still gets one per `heartbeatMs` (give or take a tick), but 10,000 idle
 * connections cost ten small bursts of writes instead of one that would stall every delivery behind it.
 */
export class ConnectionSet {
  private readonly live = new Set<LiveConnection>()
  private timer: NodeJS.Timeout | undefined
  /** The current round: a Set iterator is live, so connections added meanwhile are visited too. */
  private round: Iterator<LiveConnection> | undefined
  private roundTick = 0
  private roundSize = 0
  private visited = 0
  closing = false

  constructor(private readonly heartbeatMs: number) {}

  add(connection: LiveConnection): void {
    this.live.add(connection)
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.heartbeatMs / HEARTBEAT_SLICES)
      this.timer.unref()
    }
  }

  /** One tick of a round of HEARTBEAT_SLICES ticks: the next tenth of the connections; the last tick, the rest. */
  private tick(): void {
    if (this.roundTick === 0) {
      this.round = this.live.values()
      this.roundSize = this.live.size
      this.visited = 0
    }
    this.roundTick++
    const last = this.roundTick === HEARTBEAT_SLICES
    const target = last ? Number.POSITIVE_INFINITY : Math.ceil((this.roundSize * this.roundTick) / HEARTBEAT_SLICES)
    // Bounded by the connections in the set.
    while (this.round && this.visited < target) {
      const next = this.round.next()
      if (next.done) break
      this.visited++
      next.value.heartbeat()
    }
    if (last) {
      this.roundTick = 0
      this.round = undefined
    }
  }

  delete(connection: LiveConnection): void {
    this.live.delete(connection)
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = undefined
      this.round = undefined
      this.roundTick = 0
    }
  }

  /** Ends every connection whose identity `match`es (`app.pushline.disconnect`): how many it ended. */
  revoke(match: (identity: IdentityFields) => boolean, reason: string | undefined): number {
    let ended = 0
    // A copy: ending a connection takes it out of the set.
    for (const connection of [...this.live]) {
      const who = connection.who
      if (who !== undefined && match(who) && connection.revoke?.(reason)) ended++
    }
    return ended
  }

  get size(): number {
    return this.live.size
  }

  async shutdown(): Promise<void> {
    this.closing = true
    await Promise.all([...this.live].map((connection) => connection.shutdown()))
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }
}
