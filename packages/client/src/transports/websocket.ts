import type { ClientMessage } from '@pushline/core/wire'
import { renewable } from '../auth.js'
import { ClientErrorCode, clientError, wireError } from '../errors.js'
import { parseFrame } from '../frames.js'
import type { ClientTransport, Incoming, WebSocketLike } from './types.js'

// A refusal of the subscription itself (bad channel, not allowed) is final; a limit is not: its close follows.
const FINAL = /^RT_ERR_(CHANNEL|AUTH|CURSOR|ORIGIN|WS_MESSAGE)/
const ignore = () => {}

/**
 * WebSocket: the server greets with `hello` (its head); we subscribe from our position (or from that head when we
 * have none), and `subscribed` answers with where our stream starts: a round trip through whatever proxy is in
 * between, which is what "this WebSocket works here" means. A later `subscribe` replaces the subscription on the same
 * socket (the client's channels changed). Publishes go over the same socket and wait for their ack; no timer per
 * publish: a dead socket is found by the heartbeat watchdog, and closing it rejects them all.
 */
export const websocket: ClientTransport = (ctx, handlers) => {
  let socket: WebSocketLike | undefined
  let done = false
  let subscribed = false
  /** How the server ended it: its `close` frame, or an `error` a fresh credential may cure. */
  let closing: { readonly code?: string | undefined } | undefined
  let nextId = 0
  const pending = new Map<string, [(ack: { cursor: string }) => void, (error: Error) => void]>()
  const send = (message: ClientMessage | { type: 'auth'; token: string }) => socket?.send(JSON.stringify(message))
  const subscribe = (cursor: string | undefined) => {
    if (!subscribed) send({ type: 'subscribe', channels: ctx.channels, cursor })
    subscribed = true
  }
  const stop = (error: Error) => {
    done = true
    for (const [, reject] of pending.values()) reject(error)
    pending.clear()
    if (!socket) return
    // never null: `ws` throws an 'error' event nobody listens to (a handshake aborted below emits one)
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = ignore
    try {
      socket.close(1000)
    } catch {}
  }
  const end = (malformed?: string) => {
    if (done) return
    stop(clientError(ClientErrorCode.PublishUnconfirmed, 'closed before its ack'))
    handlers.end(malformed ? { malformed } : { byServer: !!closing, code: closing?.code })
  }
  const onFrame = (frame: Incoming) => {
    const type = frame.type
    if (type === 'hello') subscribe(ctx.position() ?? frame.cursor)
    else if (type === 'subscribed') handlers.frame({ type: 'hello', cursor: frame.cursor, roundTrip: true })
    else if (type === 'close') closing = frame
    else if (type === 'ack' || type === 'error') {
      const id = frame.id ?? ''
      const waiting = pending.get(id)
      pending.delete(id)
      if (type === 'ack') waiting?.[0]({ cursor: frame.cursor })
      else if (waiting) waiting[1](wireError(frame.error.code, frame.error.message, 400, frame.error.channels))
      else if (renewable(frame.error.code)) {
        // expired or revoked: the connection renews the credential and resumes; the socket's close follows
        closing = frame.error
        end()
      } else if (FINAL.test(frame.error.code)) handlers.frame(frame)
    } else handlers.frame(frame)
  }
  ctx.WebSocket().then(
    (WS) => {
      if (done) return
      const ws = new WS(ctx.url)
      socket = ws
      ws.onopen = () => {
        handlers.open()
        // the credential first: the server authenticates the connection at its first message
        if (ctx.token) send({ type: 'auth', token: ctx.token })
        // with a position there is no need to wait for the hello: one round trip less
        const cursor = ctx.position()
        if (cursor) subscribe(cursor)
      }
      ws.onmessage = (event) => {
        const frame = typeof event.data === 'string' ? parseFrame(event.data) : undefined
        if (frame) onFrame(frame)
        else end('a malformed WebSocket frame')
      }
      ws.onerror = ws.onclose = () => end()
    },
    (error: unknown) => {
      if (done) return
      done = true
      handlers.end({ error: error instanceof Error ? error : clientError(ClientErrorCode.NoWebSocket, 'no WebSocket') })
    },
  ).catch(() => end())
  return {
    close: () => done || stop(clientError(ClientErrorCode.Closed, 'client closed')),
    publish(channel, data) {
      if (done || !subscribed || socket?.readyState !== 1) return undefined
      const id = String(++nextId)
      return new Promise((resolve, reject) => {
        pending.set(id, [resolve, reject])
        send({ type: 'publish', id, channel, data })
      })
    },
    resubscribe(channels, cursor) {
      if (done || !subscribed || socket?.readyState !== 1) return false
      send({ type: 'subscribe', channels, cursor })
      return true
    },
  }
}
