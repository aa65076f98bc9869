import { HttpConn } from './raw-http.js'
import { RawWebSocket } from './raw-ws.js'
import type { Closer } from './stream-subscribers.js'
import type { Subscription } from './tracker.js'

/**
 * pushline's streaming load clients (protocol 1 spoken directly). Like pushline's own client they resume when the
 * server ends a stream (a slow consumer is dropped on purpose and must come back from its cursor), so an overloaded
 * step shows as resumes, drops and latency, not as subscribers silently gone. The resume cursor is built from the
 * epoch the server announced and the last sequence seen: the bench's log holds only the bench channel, whose
 * sequences are the publisher's, and reading each event's cursor string would put string work on the hot path.
 */
const CHANNEL = 'bench'
/** Reconnections in a row that may fail before a subscriber counts as gone. */
const MAX_RETRIES = 20
const READY_TIMEOUT_MS = 15_000

interface Live {
  close(): void
  /** Resolves when the stream ends. */
  readonly ended: Promise<void>
}
type Open = (cursor: string | null, onEpoch: (epoch: string) => void) => Promise<Live>

const epochOf = (text: string): string | null => /"cursor":"([a-z0-9]{1,32})-\d+"/.exec(text)?.[1] ?? null

/** Keeps one subscription alive: `open` connects (resolving once live); after it ends, it opens again. */
async function resuming(sub: Subscription, open: Open): Promise<Closer> {
  let closed = false
  let epoch: string | null = null
  const onEpoch = (value: string): void => {
    epoch ??= value
  }
  let current = await open(null, onEpoch)
  sub.connected = true
  const keep = async (): Promise<void> => {
    await current.ended
    // Bounded: MAX_RETRIES failures in a row end it; each success waits for the stream's end.
    for (let failures = 0; !closed && failures < MAX_RETRIES; ) {
      try {
        current = await open(epoch === null ? null : `${epoch}-${sub.last}`, onEpoch)
        sub.tracker.resumed++
        failures = 0
        await current.ended
      } catch {
        failures++
        await new Promise((resolve) => setTimeout(resolve, 50 * failures))
      }
    }
    sub.connected = false
  }
  void keep()
  return {
    close() {
      closed = true
      current.close()
    },
  }
}

/** One WebSocket: hello, then `subscribe` (with the cursor when resuming); live once `subscribed` arrives. */
const openWebSocket =
  (port: number, sub: Subscription): Open =>
  (cursor, onEpoch) =>
    new Promise((resolve, reject) => {
      let state: 'hello' | 'subscribing' | 'live' = 'hello'
      let ws: RawWebSocket | null = null
      let onEnded: () => void = () => {}
      const ended = new Promise<void>((done) => {
        onEnded = done
      })
      const timer = setTimeout(() => fail(new Error('pushline websocket: no subscribed frame')), READY_TIMEOUT_MS)
      const fail = (error: Error): void => {
        clearTimeout(timer)
        ws?.close()
        reject(error)
      }
      RawWebSocket.connect(port, '/rt/ws', {
        onMessage(buf, start, end, _opcode, socket) {
          ws = socket
          if (state === 'live') return sub.scan(buf, start, end)
          const text = buf.toString('utf8', start, end)
          if (text.includes('"type":"error"')) return fail(new Error(`pushline websocket: ${text}`))
          if (state === 'hello' && text.includes('"type":"hello"')) {
            state = 'subscribing'
            const epoch = epochOf(text)
            if (epoch) onEpoch(epoch)
            socket.sendText(JSON.stringify(cursor ? { type: 'subscribe', channels: [CHANNEL], cursor } : { type: 'subscribe', channels: [CHANNEL] }))
          } else if (state === 'subscribing' && text.includes('"type":"subscribed"')) {
            state = 'live'
            clearTimeout(timer)
            resolve({ close: () => socket.close(), ended })
          }
        },
        onClose() {
          onEnded()
          if (state !== 'live') fail(new Error('pushline websocket closed before subscribed'))
        },
      }).then((opened) => {
        ws = opened
      }, fail)
    })

/** One HTTP stream (SSE or NDJSON): live once the `hello` frame has come (sent once the subscription is live). */
const openStream =
  (port: number, path: string, sub: Subscription): Open =>
  async (cursor, onEpoch) => {
    const conn = await HttpConn.open(port)
    return new Promise((resolve, reject) => {
      let ready = false
      let seen = ''
      let onEnded: () => void = () => {}
      const ended = new Promise<void>((done) => {
        onEnded = done
      })
      const timer = setTimeout(() => {
        conn.close()
        reject(new Error(`${path}: not ready in time`))
      }, READY_TIMEOUT_MS)
      const finish = (error?: Error): void => {
        onEnded()
        if (!ready) {
          clearTimeout(timer)
          conn.close()
          reject(error ?? new Error(`${path}: ended before hello`))
        }
      }
      conn.request('GET', cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path, {
        onHead(status) {
          if (status !== 200) finish(new Error(`${path}: status ${status}`))
        },
        onBody(buf, start, end) {
          if (!ready) {
            seen += buf.toString('utf8', start, end)
            if (seen.includes('"type":"hello"')) {
              ready = true
              clearTimeout(timer)
              const epoch = epochOf(seen)
              if (epoch) onEpoch(epoch)
              resolve({ close: () => conn.close(), ended })
            }
          }
          sub.scan(buf, start, end)
        },
        onEnd: () => finish(),
        onError: (error) => finish(error),
      })
    })
  }

export const pushlineWebSocket = (port: number, sub: Subscription): Promise<Closer> => resuming(sub, openWebSocket(port, sub))

export const pushlineSse = (port: number, sub: Subscription): Promise<Closer> =>
  resuming(sub, openStream(port, `/rt/sse?channel=${CHANNEL}`, sub))

export const pushlineNdjson = (port: number, sub: Subscription): Promise<Closer> =>
  resuming(sub, openStream(port, `/rt/stream?channel=${CHANNEL}`, sub))
