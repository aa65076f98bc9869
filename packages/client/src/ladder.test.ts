import { describe, expect, it } from 'vitest'
import { above, below, ladderOf, startOn } from './ladder.js'

const all = ['websocket', 'sse', 'ndjson', 'longpoll'] as const
const failed = { reason: 'ws-upgrade-refused', until: Number.MAX_SAFE_INTEGER } as const

describe('ladder', () => {
  it("uses the server's order, or the user's restricted to what the server enables", () => {
    expect(ladderOf(all, undefined)).toEqual(all)
    expect(ladderOf(['sse', 'longpoll'], ['websocket', 'longpoll', 'sse'])).toEqual(['longpoll', 'sse'])
  })

  it('starts on the best transport without a remembered failure, else on the floor', () => {
    expect(startOn(all, {})).toBe('websocket')
    expect(startOn(all, { websocket: failed })).toBe('sse')
    expect(startOn(all, { websocket: failed, sse: failed, ndjson: failed, longpoll: failed })).toBe('longpoll')
  })

  it('moves down past remembered failures, and stays at the floor', () => {
    expect(below(all, 'websocket', {})).toBe('sse')
    expect(below(all, 'websocket', { sse: failed })).toBe('ndjson')
    expect(below(all, 'sse', { ndjson: failed, longpoll: failed })).toBe('longpoll')
    expect(below(all, 'longpoll', {})).toBeUndefined()
  })

  it('lists the better transports best first', () => {
    expect(above(all, 'ndjson')).toEqual(['websocket', 'sse'])
    expect(above(all, 'websocket')).toEqual([])
  })
})
