/**
 * An incremental `text/event-stream` parser (the WHATWG "interpreting an event stream" rules): lines end with CRLF,
 * LF or CR, possibly split across chunks; `data:` lines of one event join with LF; `event:` names it; comments and
 * other fields are skipped (the client resumes by its own cursor, so `id:` and `retry:` are not needed). Written
 * here rather than taken from eventsource-parser because that costs 0.8 KB of the client's 8 KB gzipped budget; a
 * property test checks it against eventsource-parser on random streams cut at random places.
 */
export function sseParser(onEvent: (type: string, data: string) => void): (chunk: string) => number {
  let buffer = ''
  let data: string[] = []
  let type = ''
  let first = true
  return (chunk) => {
    buffer += first ? chunk.replace(/^\uFEFF/, '') : chunk
    first = false
    let start = 0
    for (;;) {
      const cr = buffer.indexOf('\r', start)
      const lf = buffer.indexOf('\n', start)
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf)
      // a CR last in the buffer may be the first half of a CRLF: wait for the next chunk
      if (end < 0 || (end === cr && end === buffer.length - 1)) break
      const line = buffer.slice(start, end)
      start = end + (buffer[end] === '\r' && buffer[end + 1] === '\n' ? 2 : 1)
      if (!line) {
        if (data.length) onEvent(type, data.join('\n'))
        data = []
        type = ''
        continue
      }
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1)
      if (field === 'data') data.push(value)
      else if (field === 'event') type = value
    }
    buffer = buffer.slice(start)
    // what the parser holds for an unfinished event: the caller bounds it
    return buffer.length + data.join('').length
  }
}
