import { createParser } from 'eventsource-parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sseParser } from './sse-parser.js'

const run = (chunks: string[]) => {
  const ours: [string, string][] = []
  const feed = sseParser((type, data) => ours.push([type, data]))
  for (const chunk of chunks) feed(chunk)
  const theirs: [string, string][] = []
  const reference = createParser({ onEvent: (event) => theirs.push([event.event ?? '', event.data]) })
  for (const chunk of chunks) reference.feed(chunk)
  return { ours, theirs }
}

/** Cuts `text` at the given places (sorted, deduplicated) into chunks. */
const cut = (text: string, at: number[]) => {
  const points = [...new Set(at.map((n) => n % (text.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let last = 0
  for (const point of points) {
    chunks.push(text.slice(last, point))
    last = point
  }
  chunks.push(text.slice(last))
  return chunks
}

describe('the SSE parser', () => {
  it('reads what the pushline server writes, split anywhere', () => {
    const stream = 'retry: 1000\n\nevent: hello\nid: e-1\ndata: {"type":"hello"}\n\nid: e-2\ndata: {"channel":"a"}\n\n'
    for (let i = 0; i <= stream.length; i++) {
      expect(run([stream.slice(0, i), stream.slice(i)]).ours).toEqual([
        ['hello', '{"type":"hello"}'],
        ['', '{"channel":"a"}'],
      ])
    }
  })

  it('agrees with eventsource-parser on random streams cut at random places (CR, LF, CRLF, comments, multi-line data)', () => {
    const line = fc.oneof(
      fc.constantFrom('', ':comment', 'data', 'data:', 'data: x', 'data:x y', 'event: hello', 'event:', 'id: 7', 'retry: 5', 'other: 1', ': spaced'),
      fc.string({ unit: fc.constantFrom('a', ' ', ':', 'é', '{', '"') }).map((text) => `data: ${text}`),
    )
    const eol = fc.constantFrom('\n', '\r', '\r\n')
    const stream = fc.array(fc.tuple(line, eol), { maxLength: 30 }).map((lines) => `${lines.map(([l, e]) => l + e).join('')}\n\n`)
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (text, at) => {
        const { ours, theirs } = run(cut(text, at))
        expect(ours).toEqual(theirs)
      }),
      { numRuns: 500 },
    )
  })
})
