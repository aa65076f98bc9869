import { sseEvent, sseFrame, sseRetry } from '@pushline/core'
import { httpStreamTransport } from './http-stream.js'
import { perMillisecond } from './timed-frame.js'

/**
 * Server-Sent Events. `retry:` first, `hello` and `reset` carry an `id:` with their cursor, so native
 * EventSource's Last-Event-ID always names a valid resume point; on reconnect that header wins over `?cursor=`.
 */
export const sseTransport = httpStreamTransport({
  name: 'sse',
  path: '/sse',
  contentType: 'text/event-stream; charset=utf-8',
  preamble: (context) => sseRetry(context.options.sseRetryMs),
  hello: (frame) => sseFrame(frame, frame.cursor),
  event: sseEvent,
  reset: (reset) => sseFrame(reset, reset.cursor),
  close: (frame) => sseFrame(frame),
  heartbeat: perMillisecond((time) => sseFrame({ type: 'heartbeat', time })),
  resumeFrom(request) {
    const header = request.headers['last-event-id']
    return typeof header === 'string' ? header.trim() : undefined
  },
})
