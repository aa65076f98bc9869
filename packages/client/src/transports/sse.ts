import { createParser } from 'eventsource-parser'
import { forward, httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport } from './types.js'

/**
 * SSE read over fetch rather than EventSource: fetch shows the response headers (so a buffering proxy is told
 * apart from a dead endpoint), and resuming is ours to do, from the subscription's position, by `cursor`.
 */
export const sse: ClientTransport = (ctx, handlers) => {
  let bye = false
  // characters fed since the last complete event: the bound on what the parser may hold for an unfinished one
  let pending = 0
  const parser = createParser({
    onEvent(message) {
      pending = 0
      // events use the default type and their data has no `type`; control frames carry their own
      const frame = JSON.parse(message.data) as { type?: string }
      if (!message.event) frame.type = 'event'
      bye = forward(handlers, frame) || bye
    },
  })
  const stream = httpStream(ctx, handlers, (text) => {
    pending += text.length
    if (pending > MAX_FRAME_CHARS) throw new RangeError()
    parser.feed(text)
    return bye
  })
  return { close: () => stream.close() }
}
