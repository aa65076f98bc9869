import { ndjsonEvent, ndjsonFrame } from '@pushline/core'
import { httpStreamTransport } from './http-stream.js'
import { perMillisecond } from './timed-frame.js'

/** Flushed chunked NDJSON: one JSON object per line, each with a `type`, for fetch() readers. */
export const ndjsonTransport = httpStreamTransport({
  name: 'ndjson',
  path: '/stream',
  contentType: 'application/x-ndjson; charset=utf-8',
  preamble: () => undefined,
  hello: ndjsonFrame,
  event: ndjsonEvent,
  reset: ndjsonFrame,
  close: ndjsonFrame,
  heartbeat: perMillisecond((time) => ndjsonFrame({ type: 'heartbeat', time })),
})
