import { parseFrame } from '../frames.js'
import { sseParser } from '../sse-parser.js'
import { httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport, Incoming } from './types.js'

/**
 * SSE read over fetch rather than EventSource: fetch shows the response headers (so a buffering proxy is told
 * apart from a dead endpoint, and the start position arrives even when the body is held), and resuming is ours to
 * do, from the connection's position, by `cursor`.
 */
export const sse: ClientTransport = (ctx, handlers) => {
  let out: (frame: Incoming | undefined) => void = () => {}
  // events use the default type and their data has no `type`; control frames carry their own
  const feed = sseParser((type, data) => out(parseFrame(data, type ? undefined : 'event')))
  const stream = httpStream(ctx, handlers, (text, emit) => {
    out = emit
    if (feed(text) > MAX_FRAME_CHARS) emit(undefined)
  })
  return { close: () => stream.close() }
}
