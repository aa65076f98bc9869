import { randomBytes } from 'node:crypto'
import { HttpConn } from './raw-http.js'
import { RawWebSocket } from './raw-ws.js'
import type { Subscription } from './tracker.js'

/**
 * Lean subscribers for the streaming systems. Each speaks its system's protocol directly (protocol 1 for pushline,
 * engine.io 4 / socket.io 5 for socket.io, sockjs's xhr-streaming framing) and resolves once the server is known
 * to deliver to it; every byte after that goes through the marker scanner.
 */
export interface Closer {
  close(): void
}


/** Plain `ws` servers add a client to their broadcast set before answering the upgrade. */
export const wsPlain = (port: number, sub: Subscription): Promise<Closer> => plainWebSocket(port, '/', sub)

/** Nchan subscribes a WebSocket to its channel when it answers the upgrade. */
export const nchanWebSocket = (port: number, sub: Subscription): Promise<Closer> => plainWebSocket(port, '/sub', sub)

async function plainWebSocket(port: number, path: string, sub: Subscription): Promise<Closer> {
  const ws = await RawWebSocket.connect(port, path, {
    onMessage: (buf, start, end) => sub.scan(buf, start, end),
    onClose: () => {
      sub.connected = false
    },
  })
  sub.connected = true
  return ws
}

/**
 * An HTTP streaming subscription: ready once `readyText` has been seen in the body, or once the head is out.
 */
async function streamingGet(
  port: number,
  path: string,
  sub: Subscription,
  readyText: string | null,
  headers = '',
): Promise<Closer> {
  const conn = await HttpConn.open(port)
  return new Promise((resolve, reject) => {
    let ready = false
    let seen = ''
    const timer = setTimeout(() => {
      conn.close()
      reject(new Error(`${path}: not ready in time`))
    }, 15_000)
    const markReady = (): void => {
      ready = true
      clearTimeout(timer)
      sub.connected = true
      resolve(conn)
    }
    conn.request('GET', path, {
      onHead(status) {
        if (status !== 200) {
          clearTimeout(timer)
          conn.close()
          reject(new Error(`${path}: status ${status}`))
        } else if (readyText === null) markReady()
      },
      onBody(buf, start, end) {
        if (!ready) {
          seen += buf.toString('utf8', start, end)
          if (readyText !== null && seen.includes(readyText)) markReady()
        }
        sub.scan(buf, start, end)
      },
      onEnd() {
        sub.connected = false
      },
      onError(error) {
        sub.connected = false
        if (!ready) {
          clearTimeout(timer)
          reject(error)
        }
      },
    }, undefined, headers)
  })
}

/** Nchan's EventSource subscriber: subscribed once the head is out. */
export const nchanSse = (port: number, sub: Subscription): Promise<Closer> =>
  streamingGet(port, '/sub', sub, null, 'Accept: text/event-stream\r\n')

/** The plain SSE server adds the response to its set before the head leaves. */
export const ssePlain = (port: number, sub: Subscription): Promise<Closer> => streamingGet(port, '/sse', sub, null)

/**
 * socket.io over WebSocket, engine.io protocol 4: `0{open}` -> send `40` (connect the main namespace) -> `40{sid}`;
 * `2` is a ping answered with `3`; events are `42["m",{...}]`.
 */
export function socketioWebSocket(port: number, sub: Subscription): Promise<Closer> {
  return new Promise((resolve, reject) => {
    let ws: RawWebSocket | null = null
    let ready = false
    const timer = setTimeout(() => fail(new Error('socket.io websocket: no namespace connect')), 15_000)
    const fail = (error: Error): void => {
      clearTimeout(timer)
      ws?.close()
      reject(error)
    }
    RawWebSocket.connect(port, '/socket.io/?EIO=4&transport=websocket', {
      onMessage(buf, start, end, _opcode, socket) {
        ws = socket
        const type = buf[start]
        if (type === 0x34 /* 4: message */ && buf[start + 1] === 0x32 /* 2: event */) return sub.scan(buf, start, end)
        if (type === 0x32 && end - start === 1) return ws?.sendText('3')
        if (type === 0x30) return ws?.sendText('40')
        if (type === 0x34 && buf[start + 1] === 0x30 && !ready) {
          ready = true
          clearTimeout(timer)
          sub.connected = true
          resolve(ws!)
        }
      },
      onClose() {
        sub.connected = false
        if (!ready) fail(new Error('socket.io websocket closed early'))
      },
    }).then((opened) => {
      ws = opened
    }, fail)
  })
}

/**
 * sockjs xhr-streaming: POST `/sockjs/<server>/<session>/xhr_streaming` answers a 2 KiB `h` prelude, then `o\n`
 * (open), then `a[...]\n` message frames. sockjs ends the response after 128 KiB; the client POSTs again on the
 * same session and the server resumes from its queue.
 */
export async function sockjsXhrStreaming(port: number, sub: Subscription): Promise<Closer> {
  const conn = await HttpConn.open(port)
  const path = `/sockjs/${100 + Math.floor(Math.random() * 900)}/${randomBytes(8).toString('hex')}/xhr_streaming`
  return new Promise((resolve, reject) => {
    let ready = false
    let seen = ''
    let closed = false
    let reopened = 0
    const timer = setTimeout(() => {
      conn.close()
      reject(new Error('sockjs: no open frame'))
    }, 15_000)
    const stream = (): void => {
      conn.request(
        'POST',
        path,
        {
          onBody(buf, start, end) {
            if (!ready) {
              seen += buf.toString('latin1', start, end)
              if (seen.includes('\no\n')) {
                ready = true
                clearTimeout(timer)
                sub.connected = true
                resolve(closer)
              }
            }
            sub.scan(buf, start, end)
          },
          onEnd() {
            // Bounded: a run never streams more than a few thousand response windows per subscriber.
            if (!closed && ready && reopened++ < 100_000) stream()
            else sub.connected = false
          },
          onError(error) {
            sub.connected = false
            if (!ready) {
              clearTimeout(timer)
              reject(error)
            }
          },
        },
        '',
      )
    }
    const closer: Closer = {
      close() {
        closed = true
        conn.close()
      },
    }
    stream()
  })
}
