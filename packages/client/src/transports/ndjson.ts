import { forward, httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport } from './types.js'

/** Flushed chunked NDJSON: one JSON frame per line; a line may arrive split over several chunks. */
export const ndjson: ClientTransport = (ctx, handlers) => {
  let buffer = ''
  const stream = httpStream(ctx, handlers, (text) => {
    buffer += text
    let bye = false
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim()
      buffer = buffer.slice(newline + 1)
      if (line) bye = forward(handlers, JSON.parse(line)) || bye
      newline = buffer.indexOf('\n')
    }
    if (buffer.length > MAX_FRAME_CHARS) throw new RangeError()
    return bye
  })
  return { close: () => stream.close() }
}
