import { describe, expect, it } from 'vitest'
import { cursorSeq, formatCursor, isCursor, newEpoch, parseCursor } from './cursor.js'

describe('cursor', () => {
  it('round-trips epoch and sequence', () => {
    const epoch = newEpoch()
    expect(epoch).toMatch(/^[a-z0-9]{10}$/)
    expect(parseCursor(formatCursor(epoch, 42))).toEqual({ epoch, seq: 42 })
    expect(cursorSeq('abc-0')).toBe(0)
  })

  it('rejects anything else with a coded 400', () => {
    for (const bad of ['', 'abc', 'abc-', '-1', 'abc-01', 'abc--1', 'ABC-1', 'a_b-1', 'abc-1.5', 'abc-9007199254740993']) {
      expect(isCursor(bad)).toBe(false)
      expect(() => parseCursor(bad)).toThrow(expect.objectContaining({ code: 'RT_ERR_CURSOR_MALFORMED', statusCode: 400 }))
    }
    expect(isCursor(42)).toBe(false)
  })
})
