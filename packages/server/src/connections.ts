/** What the plugin can ask of every open connection, whatever its transport. */
export interface LiveConnection {
  /** Called every `heartbeatMs`: streams write a heartbeat frame, WebSockets also ping. */
  heartbeat(): void
  /** The server is closing: tell the client to reconnect elsewhere and end; resolves once the connection is gone. */
  shutdown(): Promise<void>
}

/**
 * Every open connection of the plugin, so that one shared timer heartbeats them all (no timer per connection)
 * and shutdown reaches each of them.
 */
export class ConnectionSet {
  private readonly live = new Set<LiveConnection>()
  private timer: NodeJS.Timeout | undefined
  closing = false

  constructor(private readonly heartbeatMs: number) {}

  add(connection: LiveConnection): void {
    this.live.add(connection)
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const each of this.live) each.heartbeat()
      }, this.heartbeatMs)
      this.timer.unref()
    }
  }

  delete(connection: LiveConnection): void {
    this.live.delete(connection)
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = undefined
    }
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
