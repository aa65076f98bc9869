import type { Admission } from '../admission.js'
import type { ConnectionSet, LiveConnection } from '../connections.js'
import type { TransportCounters } from '../metrics.js'

/** What every connection's life needs from the plugin. */
export interface LifecycleContext {
  readonly admission: Admission
  readonly connections: ConnectionSet
  readonly counters: TransportCounters
}

/**
 * The life of one connection, whatever its transport: it holds the slot the admission gave it, counts itself open,
 * is heartbeaten and shut down through the ConnectionSet, and gives it all back exactly once when its transport
 * reports it gone. Transports extend it (streams: `StreamConnection`; a held long-poll directly) and only say how
 * their wire stops.
 */
export abstract class Connection<Context extends LifecycleContext = LifecycleContext> implements LiveConnection {
  private live = false
  /** Resolves `shutdown()`'s promise; made only when asked (a promise per idle connection is memory for nothing). */
  private onGone: (() => void) | undefined

  constructor(
    protected readonly context: Context,
    /** The client key of the limiter slot this connection holds. */
    protected readonly clientKey: string,
  ) {}

  /** Counts the connection open and lets the ConnectionSet reach it. */
  protected open(): void {
    this.live = true
    const { counters } = this.context
    counters.connections++
    counters.connectionsTotal++
    this.context.connections.add(this)
  }

  /** The transport is gone (called once or more, acted on once): everything taken at open is given back. */
  protected gone(): void {
    if (!this.live) return
    this.live = false
    this.context.connections.delete(this)
    this.context.counters.connections--
    this.context.admission.release(this.clientKey)
    this.onGone?.()
  }

  get isLive(): boolean {
    return this.live
  }

  /** Every `heartbeatMs` (the ConnectionSet spreads them over the period). */
  abstract heartbeat(): void

  /** The server is closing: the transport says so its own way; resolves once the connection is gone. */
  shutdown(): Promise<void> {
    if (!this.live) return Promise.resolve()
    const gone = new Promise<void>((resolve) => {
      this.onGone = resolve
    })
    this.stopForShutdown()
    return gone
  }

  protected abstract stopForShutdown(): void
}
