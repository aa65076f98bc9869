import type { ClientMessage, ServerFrame } from '@pushline/core/wire'
import { PushlineError } from '@pushline/core'
import { ClientErrorCode, clientError } from '../errors.js'
import type { ClientTransport, TransportSession, WebSocketLike } from './types.js'

const FINAL = /^RT_ERR_(CHANNEL|AUTH|CURSOR|ORIGIN|WS_MESSAGE)/

interface Pending {
  resolve(value: { cursor: string }): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
}

/**
 * WebSocket: the server greets with `hello` (its head), we subscribe from our position (or from that head when we
 * have none), and `subscribed` answers with where our stream starts: a round trip through whatever proxy is in
 * between, which is what "this WebSocket works here" means. Publishes go over the same socket with an ack.
 */
export const websocket: ClientTransport = (ctx, handlers) => {
  let socket: WebSocketLike | undefined
  let done = false
  let subscribed = false
  let nextId = 0
  const pending = new Map<string, Pending>()
  const send = (message: ClientMessage) => socket?.send(JSON.stringify(message))
  const subscribe = (cursor: string | undefined) => {
    if (subscribed) return
    subscribed = true
    send({ type: 'subscribe', channels: ctx.channels, ...(cursor === undefined ? {} : { cursor }) })
  }
  const settle = (error: Error) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      pending.delete(id)
      p.reject(error)
    }
  }
  const stop = () => {
    done = true
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null
      // 0 = CONNECTING: closing then throws in some implementations and logs a warning in browsers
      if (socket.readyState === 0) socket.onopen = () => socket?.close()
      else socket.close(1000)
    }
  }
  let byServer = false
  const onFrame = (frame: ServerFrame) => {
    switch (frame.type) {
      case 'hello':
        // the server's head, not where our stream starts: that comes with `subscribed`
        return subscribe(ctx.position() ?? frame.cursor)
      case 'subscribed':
        return handlers.frame({ type: 'hello', cursor: frame.cursor, roundTrip: true })
      case 'ack':
      case 'error': {
        const p = frame.id === undefined ? undefined : pending.get(frame.id)
        // a refusal of the subscription itself (bad channel, not allowed) is final; limits are not: the close follows
        if (!p && frame.type === 'error' && FINAL.test(frame.error.code)) return handlers.frame(frame)
        if (!p) return
        pending.delete(frame.id!)
        clearTimeout(p.timer)
        if (frame.type === 'ack') p.resolve({ cursor: frame.cursor })
        else p.reject(new PushlineError(frame.error.code, frame.error.message, { statusCode: 400 }))
        return
      }
      case 'close':
        byServer = true
        return
      default:
        return handlers.frame(frame)
    }
  }
  ctx
    .WebSocket()
    .then((WS) => {
      if (done) return
      socket = new WS(ctx.url)
      socket.onopen = () => {
        handlers.open()
        // with a position we need not wait for the hello: one round trip less
        if (ctx.position() !== undefined) subscribe(ctx.position())
      }
      socket.onmessage = (event) => {
        if (done) return
        try {
          onFrame(JSON.parse(String(event.data)) as ServerFrame)
        } catch {
          end()
        }
      }
      socket.onerror = () => end()
      socket.onclose = () => end()
    })
    .catch(() => end())
  const end = () => {
    if (done) return
    stop()
    settle(clientError(ClientErrorCode.PublishUnconfirmed, 'the WebSocket closed before the publish was acknowledged'))
    handlers.end({ byServer })
  }
  const session: TransportSession = {
    close() {
      if (done) return
      stop()
      settle(clientError(ClientErrorCode.Closed, 'closed before the publish was acknowledged'))
    },
    publish(channel, data, timeoutMs) {
      if (done || !subscribed || socket?.readyState !== 1) return undefined
      const id = String(++nextId)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(clientError(ClientErrorCode.Timeout, `no ack for publish ${id} within ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, { resolve, reject, timer })
        send({ type: 'publish', id, channel, data })
      })
    },
  }
  return session
}
