import { NDJSON_HEARTBEAT, ndjsonEvent, ndjsonFrame } from '@pushline/core'
import { httpStreamTransport } from './http-stream.js'

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
  heartbeat: NDJSON_HEARTBEAT,
})
