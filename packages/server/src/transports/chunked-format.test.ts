import { describe, expect, it } from 'vitest'
import { chunk } from './chunked-format.js'

describe('chunk', () => {
  it('frames bytes as one HTTP/1.1 chunk with a hex size', () => {
    expect(chunk(Buffer.from('hello\n')).toString()).toBe('6\r\nhello\n\r\n')
    const big = Buffer.alloc(300, 'x')
    expect(chunk(big).toString()).toBe(`12c\r\n${'x'.repeat(300)}\r\n`)
  })
})
