import { createParser } from 'eventsource-parser'
import { parseFrame } from '../frames.js'
import { httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport } from './types.js'

/**
 * SSE read over fetch rather than EventSource: fetch shows the response headers (so a buffering proxy is told
 * apart from a dead endpoint, and the start position arrives even when the body is held), and resuming is ours to
 * do, from the connection's position, by `cursor`.
 */
export const sse: ClientTransport = (ctx, handlers) => {
  // characters fed since the last complete event: the bound on what the parser may hold for an unfinished one
  let pending = 0
  let out: (frame: ReturnType<typeof parseFrame>) => void = () => {}
  const parser = createParser({
    onEvent(message) {
      pending = 0
      // events use the default type and their data has no `type`; control frames carry their own
      out(parseFrame(message.data, message.event ? undefined : 'event'))
    },
  })
  const stream = httpStream(ctx, handlers, (text, emit) => {
    out = emit
    pending += text.length
    if (pending > MAX_FRAME_CHARS) emit(undefined)
    parser.feed(text)
  })
  return { close: () => stream.close() }
}
