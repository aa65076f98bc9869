import type { LogEvent } from '@pushline/core'
import { cachedEncoder } from '@pushline/core'
import { noteFramed } from '../observability/delivery-lag.js'
import type { HttpStreamFormat } from './http-stream.js'
import { perMillisecond } from './timed-frame.js'

/** One HTTP/1.1 chunk: `<size hex>\r\n<bytes>\r\n`, in a single buffer. */
export function chunk(bytes: Buffer): Buffer {
  const head = `${bytes.length.toString(16)}\r\n`
  const framed = Buffer.allocUnsafe(head.length + bytes.length + 2)
  framed.write(head, 0, 'latin1')
  bytes.copy(framed, head.length)
  framed.write('\r\n', head.length + bytes.length, 'latin1')
  return framed
}

/**
 * The same format with every frame already framed as an HTTP chunk, events cached per event like the plain ones.
 * Streams write these straight to the socket: one buffer and one write per frame, shared by every subscriber,
 * instead of three writes through ServerResponse's chunked encoder per subscriber (profiled as the SSE/NDJSON
 * fan-out's main cost next to the syscalls themselves).
 */
export function chunkedFormat(format: HttpStreamFormat): HttpStreamFormat {
  const event = cachedEncoder((e: LogEvent) => {
    noteFramed(e)
    return chunk(format.event(e))
  })
  return {
    ...format,
    preamble: (context) => {
      const bytes = format.preamble(context)
      return bytes && chunk(bytes)
    },
    hello: (frame) => chunk(format.hello(frame)),
    event,
    reset: (reset) => chunk(format.reset(reset)),
    close: (frame) => chunk(format.close(frame)),
    heartbeat: perMillisecond((now) => chunk(format.heartbeat(now))),
  }
}
