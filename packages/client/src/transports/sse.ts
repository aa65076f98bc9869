import { createParser } from 'eventsource-parser'
import { forward, httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport } from './types.js'

/**
 * SSE read over fetch rather than EventSource: fetch shows the response headers (so a buffering proxy is told
 * apart from a dead endpoint), and resuming is ours to do, from the subscription's position, by `cursor`.
 */
export const sse: ClientTransport = (ctx, handlers) => {
  let bye = false
  const parser = createParser({
    maxBufferSize: MAX_FRAME_CHARS,
    onEvent(message) {
      // Events use the default type and their data has no `type`; control frames carry their own `type`.
      const frame = JSON.parse(message.data) as { type?: string }
      if (message.event === undefined || message.event === 'message') frame.type = 'event'
      bye = forward(handlers, frame) || bye
    },
    onError(error) {
      // unknown fields are ignored as the SSE spec says; an endless event is not
      if (error.type === 'max-buffer-size-exceeded') throw error
    },
  })
  const stream = httpStream(ctx, handlers, 'text/event-stream', (text) => {
    parser.feed(text)
    return bye
  })
  return { close: () => stream.close() }
}
