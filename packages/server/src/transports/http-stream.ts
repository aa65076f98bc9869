import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { CloseFrame, HelloFrame, LogEvent, Reset, TransportName } from '@pushline/core'
import { CURSOR_HEADER, PROTOCOL_VERSION } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { StreamConnection } from '../lifecycle/stream-connection.js'
import type { IdentityFields } from '../register.js'
import { parseSubscription } from '../subscription.js'
import { chunkedFormat } from './chunked-format.js'
import type { ServerTransport, TransportContext } from './types.js'

/** How one streaming HTTP format (SSE, NDJSON) spells each frame. Events are cached bytes, shared by all. */
export interface HttpStreamFormat {
  readonly name: TransportName
  readonly path: string
  readonly contentType: string
  preamble(context: TransportContext): Buffer | undefined
  hello(frame: HelloFrame): Buffer
  event(event: LogEvent): Buffer
  reset(reset: Reset): Buffer
  close(frame: CloseFrame): Buffer
  heartbeat(now: number): Buffer
  /** A resume position carried outside the query (SSE's Last-Event-ID), which wins over `cursor`. */
  resumeFrom?(request: FastifyRequest): string | undefined
}

export const STREAM_HEADERS = {
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const

/** A streaming HTTP transport: validation and refusals answer as JSON errors, then the response is hijacked. */
export function httpStreamTransport(format: HttpStreamFormat): ServerTransport {
  const framed = { plain: format, chunked: chunkedFormat(format) }
  return {
    name: format.name,
    path: format.path,
    corsMethods: ['GET'],
    register(scope, context) {
      scope.get(format.path, { exposeHeadRoute: false }, async (request, reply) => {
        const subscription = parseSubscription(request.query, context.options, format.resumeFrom?.(request))
        const { key, identity } = await context.admission.subscribe(request, subscription.channels, context.counters, format.name)
        let cursor: string
        try {
          cursor = subscription.cursor ?? (await context.log.head())
        } catch (error) {
          context.admission.release(key)
          throw error
        }
        new HttpStream(context, key, identity, request, reply, framed, cursor).start(subscription.channels)
      })
    },
  }
}

/** The stream whose response emitted `close` (a shared listener, not a closure per stream). */
const STREAMS = new WeakMap<ServerResponse, HttpStream>()
function onResponseClose(this: ServerResponse): void {
  STREAMS.get(this)?.responseClosed()
  STREAMS.delete(this)
}
function onResponseError(this: ServerResponse, error: Error): void {
  STREAMS.get(this)?.writeFailed(error)
}

/**
 * One SSE/NDJSON response. Frames are written straight to the socket once the headers are out: HTTP/1.1 responses
 * get pre-framed chunks (`chunkedFormat`), HTTP/1.0 ones (nginx's default upstream protocol) the bare bytes, their
 * end marked by the connection's close, exactly as Node's ServerResponse would have framed them.
 */
class HttpStream extends StreamConnection<TransportContext> {
  private readonly res: ServerResponse
  private readonly format: HttpStreamFormat
  private channels: readonly string[] = []

  constructor(
    context: TransportContext,
    key: string,
    identity: IdentityFields | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    formats: { readonly plain: HttpStreamFormat; readonly chunked: HttpStreamFormat },
    private readonly cursor: string,
  ) {
    reply.hijack()
    const res = reply.raw
    const socket: Socket = request.raw.socket
    socket.setNoDelay(true)
    const headers: Record<string, string | number | string[]> = {}
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value
    res.writeHead(200, { ...headers, 'content-type': formats.plain.contentType, ...STREAM_HEADERS, [CURSOR_HEADER]: cursor })
    res.flushHeaders()
    const format = res.chunkedEncoding ? formats.chunked : formats.plain
    super(context, key, socket, format, request.log, identity)
    this.res = res
    this.format = format
  }

  /**
   * The hello in a write of its own, at once (the headers, with Pushline-Cursor, are out already); the heartbeat
   * follows in a later write, a loop turn on, and only then the backlog. A proxy that holds the tail of each write
   * until the next one (HAProxy with gzip) thus lets the hello through only when the heartbeat follows it: a
   * client trusting a stream once a frame written after the hello arrives detects such a proxy.
   */
  start(channels: readonly string[]): void {
    const { res, socket, context, cursor, format } = this
    this.open()
    STREAMS.set(res, this)
    res.on('error', onResponseError)
    res.on('close', onResponseClose)
    const preamble = format.preamble(context)
    const hello = format.hello({ type: 'hello', protocol: PROTOCOL_VERSION, cursor, heartbeatMs: context.options.heartbeatMs, time: Date.now() })
    socket?.write(preamble ? Buffer.concat([preamble, hello]) : hello)
    this.channels = channels
    setImmediate(afterHello, this)
  }

  /** The heartbeat after the hello, then the backlog and live events. */
  afterHello(): void {
    if (this.ended) return
    this.write(this.wire.heartbeat(Date.now()))
    this.follow(this.channels, this.cursor)
  }

  protected override writable(): boolean {
    return this.socket !== undefined && !this.socket.destroyed
  }

  protected finish(): void {
    // res.end() adds the last chunk after what went straight to the socket. The connection itself goes too: a
    // keep-alive socket left behind would hold the server's close open.
    const socket = this.socket
    this.res.end(() => socket?.end())
  }

  protected destroy(): void {
    this.res.destroy()
  }

  responseClosed(): void {
    this.closed()
  }

  writeFailed(error: Error): void {
    this.log.debug({ err: error }, 'pushline: stream write failed')
  }
}

function afterHello(stream: HttpStream): void {
  stream.afterHello()
}
