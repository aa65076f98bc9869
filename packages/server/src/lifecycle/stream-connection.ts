import type { Socket } from 'node:net'
import type { CloseFrame, EventLog, PushlineError } from '@pushline/core'
import type { FastifyBaseLogger } from 'fastify'
import { ExpiryTimer, expiryOf } from '../auth/expiry.js'
import { type ErrorKind, ServerErrors, WsCloseCode } from '../errors.js'
import type { IdentityFields } from '../register.js'
import type { FlushScheduler } from '../flush-scheduler.js'
import { socketDrained } from '../socket-drained.js'
import {
  type SessionHandlers,
  type SessionOptions,
  type StreamEncoder,
  type StreamSink,
  startSession,
} from '../stream-session.js'
import { Connection, type LifecycleContext } from './connection.js'

/** How one streaming wire spells what the lifecycle writes: events and resets (the session's), close and heartbeat. */
export interface StreamWire extends StreamEncoder {
  /** For the logs. */
  readonly name: string
  close(frame: CloseFrame): Buffer
  /** The heartbeat written at `now` (streams carry the time: see `perMillisecond`). */
  heartbeat(now: number): Buffer
}

export interface StreamContext extends LifecycleContext {
  readonly log: EventLog
  readonly flusher: FlushScheduler
  readonly session: SessionOptions
  /** How long a closing connection may take to flush its last frames before it is destroyed. */
  readonly closeGraceMs: number
}

/** The `close` frame of a declared ending (shutdown, slow consumer, log failed): written once, here. */
export function closeFrameOf(kind: ErrorKind): CloseFrame {
  return { type: 'close', reason: kind.message, code: kind.code }
}

/**
 * A connection that streams frames to a socket (SSE, NDJSON, WebSocket): the sink its session writes to, the
 * heartbeat and the high-water check, and `end(frame)`: a last frame, the transport's own ending, destroyed if it
 * cannot finish within the grace period. Every write goes through the flush scheduler, shared bytes and all.
 * Subclasses translate: how to finish and destroy their wire, and what a heartbeat is there.
 */
export abstract class StreamConnection<Context extends StreamContext = StreamContext>
  extends Connection<Context>
  implements StreamSink, SessionHandlers
{
  protected ended = false
  private graceTimer: NodeJS.Timeout | undefined
  private session: { close(): void } | undefined
  /** Why the server ended it (the close frame's code), for the close log; unset: the client went away. */
  private endReason: string | undefined
  /** When the identity expires (ms since the epoch), and its timer: only for identities with an `expiresAt`. */
  private expiresAt: number | undefined
  private expiry: ExpiryTimer | undefined

  constructor(
    context: Context,
    clientKey: string,
    /** The TCP socket; undefined when the transport has none (then nothing is written). */
    protected readonly socket: Socket | undefined,
    protected readonly wire: StreamWire,
    protected readonly log: FastifyBaseLogger,
    identity?: IdentityFields,
  ) {
    super(context, clientKey, identity)
    this.watchExpiry()
  }

  /** The identity is known (a WebSocket's first message): its expiry is watched from now. */
  protected identified(identity: IdentityFields | undefined): void {
    this.identity = identity
    this.watchExpiry()
  }

  private watchExpiry(): void {
    const at = expiryOf(this.identity)
    if (at === undefined || Number.isNaN(at)) return
    this.expiresAt = at
    this.expiry ??= new ExpiryTimer(() => this.expired())
    this.expiry.arm(at)
  }

  /** No more expiry checks (the connection is ending). */
  protected stopExpiry(): void {
    this.expiresAt = undefined
    this.expiry?.disarm()
  }

  private expired(): void {
    this.endForAuth(ServerErrors.AuthExpired.create('the credentials have expired: refresh the token and resume'))
  }

  // The sink.
  write(chunk: Buffer): void {
    if (this.ended || !this.socket || !this.writable()) return
    // The timer may fire a little late: nothing is written past the expiry meanwhile.
    if (this.expiresAt !== undefined && Date.now() >= this.expiresAt) {
      this.expired()
      return
    }
    this.context.flusher.write(this.socket, chunk)
  }

  /** A stream's `close` frame with the code (RT_ERR_AUTH_EXPIRED / _REVOKED), then the end (a WebSocket: 4401). */
  protected endForAuth(error: PushlineError): boolean {
    if (this.ended) return false
    this.end({ type: 'close', code: error.code, reason: error.message.slice(0, 200) }, WsCloseCode.Unauthenticated)
    return true
  }

  /** Bytes not yet sent: queued in the flusher plus buffered in the socket. */
  pending(): number {
    return this.socket ? this.context.flusher.queuedBytes(this.socket) + this.socket.writableLength : 0
  }

  drained(): Promise<void> {
    if (!this.socket || this.ended) return Promise.resolve()
    return socketDrained(this.context.flusher, this.socket)
  }

  /** Streams `channels` after `cursor` (replacing what was streamed before). */
  protected follow(channels: readonly string[], cursor: string): void {
    this.session?.close()
    this.session = startSession(
      this.context.log,
      channels,
      cursor,
      this,
      this.wire,
      this.context.counters,
      this,
      this.context.session,
    )
  }

  protected unfollow(): void {
    this.session?.close()
    this.session = undefined
  }

  heartbeat(): void {
    if (this.ended || !this.beat()) return
    this.write(this.wire.heartbeat(Date.now()))
    if (this.pending() > this.context.session.maxBufferedBytes) this.onSlowConsumer()
  }

  protected stopForShutdown(): void {
    this.endWith(ServerErrors.StreamShutdown)
  }

  // The session's handlers.
  onSlowConsumer(): void {
    if (this.ended) return
    this.context.counters.slowConsumerDrops++
    this.log.warn({ transport: this.wire.name, pending: this.pending() }, 'pushline: dropping slow consumer')
    this.endWith(ServerErrors.StreamSlowConsumer)
  }

  onError(error: PushlineError): void {
    if (this.ended) return
    this.context.counters.errors++
    this.log.error({ err: error, transport: this.wire.name }, 'pushline: log failed under a stream')
    this.endWith(ServerErrors.StreamLogFailed)
  }

  /** Ends on purpose with a declared ending: its close frame and its close code. */
  protected endWith(kind: ErrorKind): void {
    this.end(closeFrameOf(kind), typeof kind.ws === 'number' ? kind.ws : 1000)
  }

  /** Ends on purpose: `frame`, then the transport's own ending (`closeCode` on a WebSocket), cut short after the grace. */
  protected end(frame: CloseFrame, closeCode: number): void {
    if (this.ended) return
    this.stopExpiry()
    this.write(this.wire.close(frame))
    this.ended = true
    this.endReason = frame.code ?? 'closed'
    this.unfollow()
    if (this.socket) this.context.flusher.release(this.socket)
    this.finish(closeCode, frame)
    this.graceTimer = setTimeout(() => this.destroy(), this.context.closeGraceMs)
    this.graceTimer.unref()
  }

  /** The transport closed (by either side): the lifecycle lets go of everything. */
  protected closed(): void {
    this.ended = true
    this.expiry?.disarm()
    this.unfollow()
    if (this.socket) this.context.flusher.release(this.socket)
    if (this.graceTimer) clearTimeout(this.graceTimer)
    this.gone(this.endReason ?? 'client-closed')
  }

  /** Whether frames may still be written (a WebSocket only while OPEN). */
  protected writable(): boolean {
    return true
  }

  /** Before a heartbeat is written; false when the connection was found dead (and has been dealt with). */
  protected beat(): boolean {
    return true
  }

  /** The wire's own ending after the close frame (the HTTP response's end, a WebSocket close handshake). */
  protected abstract finish(closeCode: number, frame: CloseFrame): void
  /** Tears the connection down when `finish` did not complete within the grace period. */
  protected abstract destroy(): void
}
