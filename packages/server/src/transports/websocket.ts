import {
  type CloseFrame,
  isPushlineError,
  PROTOCOL_VERSION,
  PushlineError,
  type ServerFrame,
  wsFrame,
} from '@pushline/core'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import type { LiveConnection } from '../connections.js'
import { retryAfterOf, ServerErrorCode, WsCloseCode, wsCloseCodeFor } from '../errors.js'
import { type SessionHandlers, type StreamEncoder, type StreamSink, sessionOptionsOf, startSession } from '../stream-session.js'
import { checkChannels, checkCursor } from '../subscription.js'
import { releaseUpgrade, socketOf, wsEventFrame, wsPingFrame, wsTextFrame } from '../ws-frame.js'
import { socketDrained } from '../socket-drained.js'
import { closingError } from './http-stream.js'
import type { ServerTransport, TransportContext } from './types.js'
import { type ClientMessage, invalidMessage, parseClientMessage } from './ws-messages.js'

// Subscribe messages refill at this rate after the burst; messages waiting to be handled are capped too.
const SUBSCRIBE_REFILL_PER_SECOND = 2
const MAX_QUEUED_MESSAGES = 64

/**
 * WebSocket: `hello` on connect; each `subscribe` REPLACES the connection's subscription (send the full channel
 * list with your cursor to add one) and is answered by `subscribed` before its events; `publish` is answered by
 * `ack` or `error` with the same id. Events are framed once and written to the TCP socket directly (no deflate).
 */
export const websocketTransport: ServerTransport = {
  name: 'websocket',
  path: '/ws',
  corsMethods: [],
  register(scope, context) {
    scope.route({
      method: 'GET',
      url: this.path,
      exposeHeadRoute: false,
      // Refusals before the upgrade are plain HTTP answers (429, 403, 503) a client can read.
      preHandler: async (request) => {
        if (context.connections.closing) throw closingError()
        context.limiter.check(context.access.clientKey(request))
      },
      handler: async () => {
        throw new PushlineError(ServerErrorCode.RequestUpgrade, 'this endpoint needs a WebSocket upgrade', { statusCode: 426 })
      },
      wsHandler: (ws, request) => {
        new WsConnection(context, ws, request)
      },
    })
  },
}

/** A ping (answered by the client's pong, which proves it alive) and the `heartbeat` frame a browser can see, in one write. */
const WS_HEARTBEAT = Buffer.concat([wsPingFrame(), wsTextFrame(wsFrame({ type: 'heartbeat' }))])

const WS_ENCODER: StreamEncoder = { event: wsEventFrame, reset: (reset) => wsTextFrame(wsFrame(reset)) }

/**
 * The connection of each open WebSocket. The socket's listeners are shared functions that look their connection
 * up here, rather than closures per connection.
 */
const OPEN = new WeakMap<WebSocket, WsConnection>()

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  OPEN.get(this)?.receive(data, isBinary)
}

function onPong(this: WebSocket): void {
  OPEN.get(this)?.pong()
}

function onClose(this: WebSocket): void {
  OPEN.get(this)?.closed()
  OPEN.delete(this)
}

function onSocketError(this: WebSocket, error: Error): void {
  OPEN.get(this)?.logSocketError(error)
}

class WsConnection implements LiveConnection, StreamSink, SessionHandlers {
  private readonly raw
  /** Whether this connection holds a slot in the connection limiter (given back once, on close). */
  private holdsSlot = false
  private readonly clientKey: string
  private readonly log: FastifyBaseLogger
  /** The upgrade request, kept only for an `authorize` hook (it is asked on every subscribe and publish). */
  private readonly request: FastifyRequest | undefined
  private session: { close(): void } | undefined
  /** The chain of message tasks; none when idle (a settled promise per idle connection is memory for nothing). */
  private queue: Promise<void> | undefined
  private queued = 0
  private alive = true
  private ended = false
  private tokens: number
  private tokensAt = Date.now()
  private graceTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly context: TransportContext,
    private readonly ws: WebSocket,
    request: FastifyRequest,
  ) {
    this.tokens = context.options.limits.subscribeBurst
    this.raw = socketOf(ws)
    this.raw?.setNoDelay(true)
    this.clientKey = context.access.clientKey(request)
    this.log = request.log
    this.request = context.options.authorize ? request : undefined
    // What the upgrade left behind (fastify's request and reply) need not live as long as the connection.
    OPEN.set(ws, this)
    releaseUpgrade(ws, this.raw, onSocketError)
    const { counters } = context
    try {
      context.limiter.take(this.clientKey)
      this.holdsSlot = true
    } catch (error) {
      counters.refused++
      this.fail(error)
      return
    }
    counters.connections++
    counters.connectionsTotal++
    context.connections.add(this)
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    ws.on('close', onClose)
    this.enqueue(async () => {
      const cursor = await context.log.head()
      this.send({ type: 'hello', protocol: PROTOCOL_VERSION, cursor, heartbeatMs: context.options.heartbeatMs })
    })
  }

  /** The WebSocket closed (it closes once). */
  closed(): void {
    this.ended = true
    this.session?.close()
    if (this.raw) this.context.flusher.release(this.raw)
    if (this.graceTimer) clearTimeout(this.graceTimer)
    this.context.connections.delete(this)
    this.context.counters.connections--
    if (this.holdsSlot) {
      this.holdsSlot = false
      this.context.limiter.give(this.clientKey)
    }
  }

  pong(): void {
    this.alive = true
  }

  heartbeat(): void {
    if (this.ended) return
    if (!this.alive) {
      this.ws.terminate()
      return
    }
    this.alive = false
    this.write(WS_HEARTBEAT)
    if (this.pending() > this.context.options.limits.maxBufferedBytes) this.slow()
  }

  shutdown(): Promise<void> {
    const frame: CloseFrame = { type: 'close', reason: 'server shutting down: reconnect and resume', code: ServerErrorCode.StreamShutdown }
    if (this.ws.readyState === this.ws.CLOSED) return Promise.resolve()
    // Made only when asked: a promise per idle connection would cost memory for nothing.
    const gone = new Promise<void>((resolve) => this.ws.once('close', () => resolve()))
    this.end(WsCloseCode.Shutdown, frame)
    return gone
  }

  /** Bytes not yet sent: queued in the flusher plus buffered in the socket. */
  pending(): number {
    return this.raw ? this.context.flusher.queuedBytes(this.raw) + this.raw.writableLength : this.ws.bufferedAmount
  }

  write(chunk: Buffer): void {
    if (this.ended || !this.raw || this.ws.readyState !== this.ws.OPEN) return
    this.context.flusher.write(this.raw, chunk)
  }

  private send(frame: Exclude<ServerFrame, { type: 'event' }>): void {
    this.write(wsTextFrame(wsFrame(frame)))
  }

  /** Ends on purpose: a `close` frame, then a close handshake, cut short after `closeGraceMs`. */
  private end(code: number, frame: CloseFrame): void {
    if (this.ended) return
    this.send(frame)
    this.ended = true
    this.session?.close()
    if (this.raw) this.context.flusher.release(this.raw)
    this.ws.close(code, frame.code ?? '')
    this.graceTimer = setTimeout(() => this.ws.terminate(), this.context.options.closeGraceMs)
    this.graceTimer.unref()
  }

  /** Refuses with a coded `error` frame and the matching close code. */
  private fail(error: unknown): void {
    const pushline = isPushlineError(error)
      ? error
      : new PushlineError(ServerErrorCode.ServerInternal, 'internal error', { statusCode: 500, cause: error })
    if (pushline.statusCode >= 500) {
      this.context.counters.errors++
      this.log.error({ err: error }, 'pushline: websocket failed')
    }
    if (this.ended) return
    this.send({ type: 'error', error: pushline.toJSON().error })
    this.end(wsCloseCodeFor(pushline), { type: 'close', reason: pushline.message.slice(0, 200), code: pushline.code })
  }

  private slow(): void {
    if (this.ended) return
    this.context.counters.slowConsumerDrops++
    this.log.warn({ transport: 'websocket', pending: this.pending() }, 'pushline: dropping slow consumer')
    this.end(WsCloseCode.SlowConsumer, {
      type: 'close',
      reason: 'slow consumer: reconnect and resume',
      code: ServerErrorCode.StreamSlowConsumer,
    })
  }

  private enqueue(task: () => Promise<void>): void {
    this.queued++
    this.queue = (this.queue ?? Promise.resolve())
      .then(() => (this.ended ? undefined : task()))
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        if (--this.queued === 0) this.queue = undefined
      })
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.ended) return
    let message: ClientMessage
    try {
      message = parseClientMessage(data, isBinary)
      if (message.type === 'subscribe') this.takeSubscribeToken()
      if (this.queued >= MAX_QUEUED_MESSAGES) {
        throw new PushlineError(ServerErrorCode.LimitSubscribeRate, 'too many messages waiting', { statusCode: 429 })
      }
    } catch (error) {
      this.fail(error)
      return
    }
    if (message.type === 'subscribe') this.enqueue(() => this.subscribe(message.channels, message.cursor))
    else this.enqueue(() => this.publish(message.id, message.channel, message.data))
  }

  private takeSubscribeToken(): void {
    const now = Date.now()
    const burst = this.context.options.limits.subscribeBurst
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) / 1000) * SUBSCRIBE_REFILL_PER_SECOND)
    this.tokensAt = now
    if (this.tokens < 1) {
      throw new PushlineError(ServerErrorCode.LimitSubscribeRate, 'too many subscribe messages', { statusCode: 429 })
    }
    this.tokens--
  }

  private async subscribe(names: readonly unknown[], requested: string | undefined): Promise<void> {
    const { context } = this
    const channels = checkChannels(names, context.options)
    const start = checkCursor(requested)
    this.session?.close()
    this.session = undefined
    if (this.request) await context.access.authorize(this.request, channels, 'subscribe')
    const cursor = start ?? (await context.log.head())
    if (this.ended) return
    this.send({ type: 'subscribed', channels, cursor })
    // The connection is its session's sink and handlers: no objects or closures per subscription.
    this.session = startSession(context.log, channels, cursor, this, WS_ENCODER, context.counters, this, sessionOptionsOf(context.options))
  }

  onSlowConsumer(): void {
    this.slow()
  }

  onError(error: PushlineError): void {
    this.logFailed(error)
  }

  private async publish(id: string, channel: string, data: unknown): Promise<void> {
    const { context } = this
    try {
      context.publishRate.take(this.clientKey)
      if (data === undefined) throw invalidMessage('publish needs "data"')
      if (this.request) await context.access.authorize(this.request, [channel], 'publish')
      const event = await context.publisher.publish(channel, data)
      this.send({ type: 'ack', id, cursor: event.cursor })
    } catch (error) {
      const pushline = isPushlineError(error) ? error : undefined
      if (!pushline || pushline.statusCode >= 500) {
        context.counters.errors++
        this.log.error({ err: error }, 'pushline: websocket publish failed')
      }
      const wire = pushline?.toJSON().error ?? { code: ServerErrorCode.ServerInternal, message: 'publish failed' }
      // A rate-limited publish says when to retry, like the HTTP answer's Retry-After.
      const retryAfterSec = pushline ? retryAfterOf(pushline) : undefined
      const frame = { type: 'error', id, error: retryAfterSec === undefined ? wire : { ...wire, retryAfterSec } }
      this.write(wsTextFrame(Buffer.from(JSON.stringify(frame))))
    }
  }

  logSocketError(error: Error): void {
    this.log.debug({ err: error }, 'pushline: websocket error')
  }

  private logFailed(error: PushlineError): void {
    this.context.counters.errors++
    this.log.error({ err: error }, 'pushline: log failed under a websocket')
    this.end(WsCloseCode.LogFailed, { type: 'close', reason: 'the event log failed: reconnect and resume', code: ServerErrorCode.StreamLogFailed })
  }

  drained(): Promise<void> {
    const raw = this.raw
    if (!raw || this.ended) return Promise.resolve()
    return socketDrained(this.context.flusher, raw)
  }
}
