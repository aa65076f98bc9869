import type { PushlineError } from '@pushline/core'
import type { Admission } from '../admission.js'
import { ServerErrors } from '../errors.js'
import type { IdentityFields } from '../register.js'
import type { ConnectionSet, LiveConnection } from '../connections.js'
import type { TransportCounters } from '../metrics.js'
import type { ConnectionLog } from '../observability/connection-log.js'
import type { Observer } from '../observability/observer.js'

/** What every connection's life needs from the plugin. */
export interface LifecycleContext {
  readonly admission: Admission
  readonly connections: ConnectionSet
  readonly counters: TransportCounters
  /** The debug lines of open and close, per transport (none: not logged). */
  readonly connectionLog?: ConnectionLog
  /** Metrics hooks beyond the counters (fallbacks, latencies). */
  readonly observer?: Observer
}

/**
 * The life of one connection, whatever its transport: it holds the slot the admission gave it, counts itself open,
 * is heartbeaten and shut down through the ConnectionSet, and gives it all back exactly once when its transport
 * reports it gone. Transports extend it (streams: `StreamConnection`; a held long-poll directly) and only say how
 * their wire stops.
 */
export abstract class Connection<Context extends LifecycleContext = LifecycleContext> implements LiveConnection {
  private live = false
  /** performance.now() at open, for the close log's duration. */
  private openedAt = 0
  /** Resolves `shutdown()`'s promise; made only when asked (a promise per idle connection is memory for nothing). */
  private onGone: (() => void) | undefined
  /** Who it is (`authenticate`'s answer); none without the hook, or before a WebSocket's first message. */
  protected identity: IdentityFields | undefined

  constructor(
    protected readonly context: Context,
    /** The client key of the limiter slot this connection holds (a WebSocket's moves to its identity's). */
    protected clientKey: string,
    identity?: IdentityFields,
  ) {
    this.identity = identity
  }

  /** Who it is, for `disconnect(match)`. */
  get who(): IdentityFields | undefined {
    return this.identity
  }

  /**
   * `app.pushline.disconnect`: ends the connection with 401 RT_ERR_AUTH_REVOKED, its transport's way. False when it
   * was not live any more.
   */
  revoke(reason: string | undefined): boolean {
    if (!this.live) return false
    return this.endForAuth(ServerErrors.AuthRevoked.create(reason))
  }

  /** Ends for an auth reason (revoked, expired): a stream's close frame, a WebSocket's error frame + 4401, a poll's 401. */
  protected abstract endForAuth(error: PushlineError): boolean

  /** Counts the connection open and lets the ConnectionSet reach it. */
  protected open(): void {
    this.live = true
    this.openedAt = performance.now()
    this.context.connectionLog?.opened(this.clientKey, this.identity?.user)
    const { counters } = this.context
    counters.connections++
    counters.connectionsTotal++
    this.context.connections.add(this)
  }

  /**
   * The transport is gone (called once or more, acted on once): everything taken at open is given back.
   * @param reason for the close log: an error code when the server ended it, else how it ended.
   */
  protected gone(reason = 'ended'): void {
    if (!this.live) return
    this.live = false
    this.context.connectionLog?.closed(this.clientKey, this.openedAt, reason, this.identity?.user)
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
