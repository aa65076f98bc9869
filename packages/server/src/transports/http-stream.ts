import type { ServerResponse } from 'node:http'
import type { CloseFrame, HelloFrame, LogEvent, Reset, TransportName } from '@pushline/core'
import { CURSOR_HEADER, PROTOCOL_VERSION, PushlineError } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LiveConnection } from '../connections.js'
import { ServerErrorCode } from '../errors.js'
import { socketDrained } from '../socket-drained.js'
import { type StreamSink, sessionOptionsOf, startSession } from '../stream-session.js'
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
  readonly heartbeat: Buffer
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
        await context.access.authorize(request, subscription.channels, 'subscribe')
        if (context.connections.closing) throw closingError()
        const release = context.limiter.acquire(context.access.clientKey(request))
        let cursor: string
        try {
          cursor = subscription.cursor ?? (await context.log.head())
        } catch (error) {
          release()
          throw error
        }
        openStream(framed, context, request, reply, subscription.channels, cursor, release)
      })
    },
  }
}

export function closingError(): PushlineError {
  return new PushlineError(ServerErrorCode.ServerClosing, 'the server is shutting down: retry elsewhere', { statusCode: 503 })
}

/**
 * Frames are written straight to the socket once the headers are out: HTTP/1.1 responses get pre-framed chunks
 * (`chunkedFormat`), HTTP/1.0 ones (nginx's default upstream protocol) the bare bytes, their end marked by the
 * connection's close, exactly as Node's ServerResponse would have framed them.
 */
function openStream(
  formats: { readonly plain: HttpStreamFormat; readonly chunked: HttpStreamFormat },
  context: TransportContext,
  request: FastifyRequest,
  reply: FastifyReply,
  channels: readonly string[],
  cursor: string,
  release: () => void,
): void {
  const { counters, flusher, options } = context
  reply.hijack()
  const res: ServerResponse = reply.raw
  const socket = request.raw.socket
  socket.setNoDelay(true)
  const headers: Record<string, string | number | string[]> = {}
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value
  res.writeHead(200, { ...headers, 'content-type': formats.plain.contentType, ...STREAM_HEADERS, [CURSOR_HEADER]: cursor })
  res.flushHeaders()
  const format = res.chunkedEncoding ? formats.chunked : formats.plain
  counters.connections++
  counters.connectionsTotal++

  let ended = false
  let graceTimer: NodeJS.Timeout | undefined
  let onGone: (() => void) | undefined
  const gone = new Promise<void>((resolve) => {
    onGone = resolve
  })

  const sink: StreamSink = {
    write: (chunk) => {
      if (!ended && !socket.destroyed) flusher.write(socket, chunk)
    },
    pending: () => flusher.queuedBytes(socket) + socket.writableLength,
    drained: () => socketDrained(flusher, socket),
  }

  /** Ends the stream on purpose: a `close` frame, then the end of the response (destroyed if it cannot flush). */
  const end = (frame: CloseFrame): void => {
    if (ended) return
    sink.write(format.close(frame))
    ended = true
    session?.close()
    flusher.release(socket)
    // res.end() adds the last chunk after what went straight to the socket. The connection itself goes too: a
    // keep-alive socket left behind would hold the server's close open.
    res.end(() => socket.end())
    graceTimer = setTimeout(() => res.destroy(), options.closeGraceMs)
    graceTimer.unref()
  }

  const connection: LiveConnection = {
    heartbeat: () => {
      sink.write(format.heartbeat)
      if (sink.pending() > options.limits.maxBufferedBytes) slow()
    },
    shutdown: () => {
      end({ type: 'close', reason: 'server shutting down: reconnect and resume', code: ServerErrorCode.StreamShutdown })
      return gone
    },
  }

  const slow = (): void => {
    if (ended) return
    counters.slowConsumerDrops++
    request.log.warn({ transport: format.name, pending: sink.pending() }, 'pushline: dropping slow consumer')
    end({ type: 'close', reason: 'slow consumer: reconnect and resume', code: ServerErrorCode.StreamSlowConsumer })
  }

  // The hello leaves in a write of its own, at once; the heartbeat follows in a later write, a loop turn on, and
  // only then the backlog. A proxy that holds the tail of each write until the next one (HAProxy with gzip) thus
  // lets the hello through only when the heartbeat follows it: a client trusting a stream once a frame written
  // after the hello arrives detects such a proxy.
  const preamble = format.preamble(context)
  const hello = format.hello({ type: 'hello', protocol: PROTOCOL_VERSION, cursor, heartbeatMs: options.heartbeatMs })
  socket.write(preamble ? Buffer.concat([preamble, hello]) : hello)

  let session: { close(): void } | undefined
  const handlers = {
    onSlowConsumer: slow,
    onError(error: PushlineError) {
      counters.errors++
      request.log.error({ err: error, transport: format.name }, 'pushline: log failed under a stream')
      end({ type: 'close', reason: 'the event log failed: reconnect and resume', code: ServerErrorCode.StreamLogFailed })
    },
  }
  setImmediate(() => {
    if (ended) return
    sink.write(format.heartbeat)
    session = startSession(context.log, channels, cursor, sink, format, counters, handlers, sessionOptionsOf(options))
  })

  context.connections.add(connection)
  res.on('error', (error) => request.log.debug({ err: error }, 'pushline: stream write failed'))
  res.on('close', () => {
    ended = true
    session?.close()
    flusher.release(socket)
    if (graceTimer) clearTimeout(graceTimer)
    context.connections.delete(connection)
    counters.connections--
    release()
    onGone?.()
  })
}
