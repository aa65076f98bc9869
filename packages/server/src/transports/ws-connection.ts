import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { type CloseFrame, isPushlineError, PROTOCOL_VERSION, type PushlineError, type ServerFrame, wsFrame } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import { retryAfterOf, ServerErrors, wsCloseCodeFor } from '../errors.js'
import { StreamConnection, type StreamWire } from '../lifecycle/stream-connection.js'
import type { Bucket } from '../limits/rate-limiter.js'
import { checkChannels, checkCursor } from '../subscription.js'
import { releaseUpgrade, wsEventFrame, wsPingFrame, wsTextFrame } from '../ws-frame.js'
import type { TransportContext } from './types.js'
import { type ClientMessage, invalidMessage, parseClientMessage } from './ws-messages.js'

// Messages waiting to be handled are capped (the subscribe rate is the limiter's).
const MAX_QUEUED_MESSAGES = 64

/** A ping (answered by the client's pong, which proves it alive) and the `heartbeat` frame a browser can see, in one write. */
const WS_HEARTBEAT = Buffer.concat([wsPingFrame(), wsTextFrame(wsFrame({ type: 'heartbeat' }))])

/** Events are framed once and written to the TCP socket directly (no deflate), shared by every subscriber. */
const WS_WIRE: StreamWire = {
  name: 'websocket',
  event: wsEventFrame,
  reset: (reset) => wsTextFrame(wsFrame(reset)),
  close: (frame) => wsTextFrame(wsFrame(frame)),
  heartbeat: () => WS_HEARTBEAT,
}

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
  OPEN.get(this)?.wsClosed()
  OPEN.delete(this)
}
function onSocketError(this: WebSocket, error: Error): void {
  OPEN.get(this)?.logSocketError(error)
}

/**
 * One WebSocket, translated: `hello` on connect; each `subscribe` REPLACES the connection's subscription (send the
 * full channel list with your cursor to add one) and is answered by `subscribed` before its events; `publish` is
 * answered by `ack` or `error` with the same id. Messages are handled one at a time, in order. The connection is
 * its own sink, session handlers and subscribe-rate bucket: no objects or closures per subscription.
 */
export class WsConnection extends StreamConnection<TransportContext> implements Bucket {
  /**
   * The upgrade request, kept only for the hooks: `authenticate` at the first message (its headers, unless that
   * message is `auth`), `authorize` on every subscribe and publish.
   */
  private request: FastifyRequest | undefined
  /** Whether the first message has come: identity is established then, once. */
  private identifiedYet = false
  /** The chain of message tasks; none when idle (a settled promise per idle connection is memory for nothing). */
  private queue: Promise<void> | undefined
  private queued = 0
  private alive = true
  // The subscribe-rate bucket.
  tokens: number
  at: number

  constructor(
    context: TransportContext,
    key: string,
    private readonly ws: WebSocket,
    socket: Socket,
    response: ServerResponse,
    request: FastifyRequest,
  ) {
    super(context, key, socket, WS_WIRE, request.log)
    const bucket = context.subscribeRate.bucket()
    this.tokens = bucket.tokens
    this.at = bucket.at
    socket.setNoDelay(true)
    this.request = context.options.authorize || context.options.authenticate ? request : undefined
    OPEN.set(ws, this)
    // What the upgrade left behind (fastify's request and reply) need not live as long as the connection.
    releaseUpgrade(ws, socket, response, onSocketError)
    this.open()
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    ws.on('close', onClose)
    this.enqueue(async () => {
      const cursor = await context.log.head()
      this.send({ type: 'hello', protocol: PROTOCOL_VERSION, cursor, heartbeatMs: context.options.heartbeatMs })
    })
  }

  wsClosed(): void {
    this.closed()
  }

  pong(): void {
    this.alive = true
  }

  /** A connection that missed the previous pong is terminated instead. */
  protected override beat(): boolean {
    if (!this.alive) {
      this.ws.terminate()
      return false
    }
    this.alive = false
    return true
  }

  protected override writable(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  protected finish(closeCode: number, frame: CloseFrame): void {
    this.ws.close(closeCode, frame.code ?? '')
  }

  protected destroy(): void {
    this.ws.terminate()
  }

  private send(frame: Exclude<ServerFrame, { type: 'event' }>): void {
    this.write(wsTextFrame(wsFrame(frame)))
  }

  /** Expired or revoked: an `error` frame with the code, then close 4401. */
  protected override endForAuth(error: PushlineError): boolean {
    if (this.ended) return false
    this.stopExpiry()
    this.fail(error)
    return true
  }

  /** Refuses with a coded `error` frame, then ends with the matching close code. */
  private fail(error: unknown): void {
    const pushline = isPushlineError(error) ? error : ServerErrors.ServerInternal.create('internal error', { cause: error })
    if (pushline.statusCode >= 500) {
      this.context.counters.errors++
      this.log.error({ err: error }, 'pushline: websocket failed')
    }
    if (this.ended) return
    this.send({ type: 'error', error: pushline.toJSON().error })
    this.end({ type: 'close', reason: pushline.message.slice(0, 200), code: pushline.code }, wsCloseCodeFor(pushline))
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
    const first = !this.identifiedYet
    try {
      message = parseClientMessage(data, isBinary)
      if (message.type === 'auth' && !first) throw invalidMessage('"auth" must be the first message, and only once')
      if (message.type === 'subscribe') this.context.subscribeRate.takeFrom(this)
      if (this.queued >= MAX_QUEUED_MESSAGES) throw ServerErrors.LimitSubscribeRate.create('too many messages waiting')
    } catch (error) {
      this.fail(error)
      return
    }
    if (first) {
      // Identity is established at the first message, before it (and so before every later one) is handled.
      this.identifiedYet = true
      const token = message.type === 'auth' ? message.token : undefined
      if (this.context.admission.authenticator.enabled) this.enqueue(() => this.authenticate(token))
      else if (!this.context.options.authorize) this.request = undefined
    }
    if (message.type === 'auth') return
    if (message.type === 'subscribe') this.enqueue(() => this.subscribe(message.channels, message.cursor))
    else {
      const receivedAt = performance.now()
      this.enqueue(() => this.publish(message.id, message.channel, message.data, receivedAt))
    }
  }

  /** `authenticate` with the `auth` message's token, else the upgrade's own credentials; the slot moves to its key. */
  private async authenticate(token: string | undefined): Promise<void> {
    const { admission, options } = this.context
    const request = this.request
    if (!request) return
    const identifying = admission.authenticator.identify(request, 'websocket', token ?? admission.authenticator.tokenOf(request))
    const identity = identifying ? await identifying : undefined
    if (this.ended) return
    this.clientKey = admission.rekey(this.clientKey, request, identity)
    if (!options.authorize) this.request = undefined
    this.identified(identity)
  }

  private async subscribe(names: readonly unknown[], requested: string | undefined): Promise<void> {
    const { context } = this
    const channels = checkChannels(names, context.options)
    const start = checkCursor(requested)
    this.unfollow()
    if (this.request) await context.admission.authorize(this.identity, this.request, channels, 'subscribe')
    const cursor = start ?? (await context.log.head())
    if (this.ended) return
    this.send({ type: 'subscribed', channels, cursor })
    this.follow(channels, cursor)
  }

  private async publish(id: string, channel: string, data: unknown, receivedAt: number): Promise<void> {
    const { context } = this
    let ok = false
    try {
      context.admission.publishing(this.clientKey)
      if (data === undefined) throw invalidMessage('publish needs "data"')
      if (this.request) await context.admission.authorize(this.identity, this.request, [channel], 'publish')
      const event = await context.publisher.publish(channel, data)
      this.send({ type: 'ack', id, cursor: event.cursor })
      ok = true
    } catch (error) {
      this.publishFailed(id, error)
    }
    context.observer?.publishAnswered('websocket', performance.now() - receivedAt, ok)
  }

  /** An `error` frame with the publish's id; the connection stays open. */
  private publishFailed(id: string, error: unknown): void {
    const pushline: PushlineError | undefined = isPushlineError(error) ? error : undefined
    if (!pushline || pushline.statusCode >= 500) {
      this.context.counters.errors++
      this.log.error({ err: error }, 'pushline: websocket publish failed')
    }
    const wire = pushline?.toJSON().error ?? { code: ServerErrors.ServerInternal.code, message: 'publish failed' }
    // A rate-limited publish says when to retry, like the HTTP answer's Retry-After.
    const retryAfterSec = pushline ? retryAfterOf(pushline) : undefined
    const frame = { type: 'error', id, error: retryAfterSec === undefined ? wire : { ...wire, retryAfterSec } }
    this.write(wsTextFrame(Buffer.from(JSON.stringify(frame))))
  }

  logSocketError(error: Error): void {
    this.log.debug({ err: error }, 'pushline: websocket error')
  }
}
