import { parseFrame } from '../frames.js'
import { httpStream, MAX_FRAME_CHARS } from './http.js'
import type { ClientTransport } from './types.js'

/** Flushed chunked NDJSON: one JSON frame per line; a line may arrive split over several chunks. */
export const ndjson: ClientTransport = (ctx, handlers) => {
  let buffer = ''
  const stream = httpStream(ctx, handlers, (text, emit) => {
    buffer += text
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim()
      buffer = buffer.slice(newline + 1)
      if (line) emit(parseFrame(line))
      newline = buffer.indexOf('\n')
    }
    if (buffer.length > MAX_FRAME_CHARS) emit(undefined)
  })
  return { close: () => stream.close() }
}
