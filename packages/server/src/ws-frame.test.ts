import { describe, expect, it } from 'vitest'
import { wsTextFrame } from './ws-frame.js'

function decode(frame: Buffer): { fin: boolean; opcode: number; masked: boolean; payload: string } {
  let length = (frame[1] ?? 0) & 0x7f
  let offset = 2
  if (length === 126) {
    length = frame.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2))
    offset = 10
  }
  expect(frame.length).toBe(offset + length)
  return {
    fin: ((frame[0] ?? 0) & 0x80) !== 0,
    opcode: (frame[0] ?? 0) & 0x0f,
    masked: ((frame[1] ?? 0) & 0x80) !== 0,
    payload: frame.subarray(offset).toString(),
  }
}

describe('wsTextFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('frames a %i-byte payload as one final unmasked text frame', (size) => {
    const payload = 'x'.repeat(size)
    expect(decode(wsTextFrame(Buffer.from(payload)))).toEqual({ fin: true, opcode: 1, masked: false, payload })
  })
})
