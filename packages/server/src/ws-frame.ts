/**
 * The WebSocket fast path, in one module. Two things here lean on how our dependencies behave, through public APIs
 * only (no `_socket`, no `_httpMessage`), and `ws-frame.pinned.test.ts` fails loudly when their versions change:
 * - event frames are built once and written to the upgraded TCP socket (`request.raw.socket`) directly, next to
 *   `ws`'s own writes (pings, close): correct as long as `ws` writes whole frames and per-message deflate is off;
 * - `releaseUpgrade` undoes `@fastify/websocket`'s `assignSocket` of its stand-in response.
 * Checked with ws 8.23 and @fastify/websocket 11.3.
 */
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { cachedEncoder, type LogEvent, wsEvent } from '@pushline/core'
import { noteFramed } from './observability/delivery-lag.js'
import type { WebSocket } from 'ws'

/**
 * One unmasked, final WebSocket text frame (RFC 6455 §5.2) around `payload`. Server frames are never masked, so
 * the framed bytes of an event are the same for every socket: they are built once per event and written to each
 * subscriber's socket directly, the way `ws` itself writes them (the server disables per-message deflate).
 */
export function wsTextFrame(payload: Buffer): Buffer {
  const length = payload.length
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = 0x81
  if (length < 126) {
    frame[1] = length
  } else if (length < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  payload.copy(frame, headerLength)
  return frame
}

/** An empty, final, unmasked ping frame (RFC 6455 §5.5.2). */
export function wsPingFrame(): Buffer {
  return Buffer.from([0x89, 0x00])
}

/** The framed bytes of an event, cached per event object. */
export const wsEventFrame: (event: LogEvent) => Buffer = cachedEncoder((event) => {
  noteFramed(event)
  return wsTextFrame(wsEvent(event))
})

/**
 * Lets go of what `@fastify/websocket` ties to an upgraded connection for its whole life, with public APIs only:
 * its `error` listener closes over fastify's request and reply, and the TCP socket stays assigned to the stand-in
 * `ServerResponse` the upgrade was routed with (`response.assignSocket(socket)`; `detachSocket` undoes it), which
 * holds the reply through its listeners. About 3 KB per idle connection. WebSocket errors (ws closes the
 * connection on each) go to `onError` instead.
 */
export function releaseUpgrade(ws: WebSocket, socket: Socket, response: ServerResponse, onError: (error: Error) => void): void {
  // Ours first, then theirs off (removing the last listener of an event would put `_events` in dictionary mode).
  const theirs = ws.listeners('error')
  ws.on('error', onError)
  for (const listener of theirs) ws.off('error', listener as (error: Error) => void)
  if (response.socket === socket) response.detachSocket(socket)
}
