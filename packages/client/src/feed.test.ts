import { describe, expect, it } from 'vitest'
import { newSub, oldest, plan, route, type Sub } from './feed.js'

const sub = (channels: string[], cursor?: string, seen: unknown[] = []) =>
  newSub(channels, { cursor, onEvent: (event) => seen.push(['event', event.channel, event.cursor]), onReset: (reset) => seen.push(['reset', reset.cursor]) }, () => {})

describe('oldest', () => {
  it('takes the lowest sequence of one epoch, and a position of another epoch than the server first', () => {
    expect(oldest(['e-5', 'e-3', 'e-9'], 'e')).toBe('e-3')
    expect(oldest(['e-5', 'old-90', 'e-3'], 'e')).toBe('old-90')
    expect(oldest([], 'e')).toBeUndefined()
  })
})

describe('plan', () => {
  it('is the union of channels from the oldest position, leaving out those still unpositioned and those past the limit', () => {
    const a = sub(['a', 'b'], 'e-4')
    const b = sub(['b', 'c'], 'e-2')
    const waiting = sub(['z'])
    const big = sub(['x', 'y'], 'e-9')
    const { segment, over } = plan([a, b, waiting, big], 4, 'e', false)
    expect(segment).toEqual({ channels: ['a', 'b', 'c'], from: 'e-2', subs: [a, b] })
    expect(over).toEqual([big])
  })
})

describe('route', () => {
  it('moves every served position and delivers only each subscription its own channels, once', () => {
    const seenA: unknown[] = []
    const seenB: unknown[] = []
    const a = sub(['a'], 'e-1', seenA)
    const b = sub(['b'], 'e-3', seenB)
    const segment = { channels: ['a', 'b'], from: 'e-1', subs: [a, b] as Sub[] }
    const report = () => {}
    for (const [channel, seq] of [['a', 2], ['b', 3], ['a', 4], ['b', 5], ['a', 4]] as const) {
      route(segment, { type: 'event', channel, cursor: `e-${seq}`, data: null }, report)
    }
    expect(seenA).toEqual([['event', 'a', 'e-2'], ['event', 'a', 'e-4']])
    expect(seenB).toEqual([['event', 'b', 'e-5']])
    expect([a.pos, b.pos]).toEqual(['e-5', 'e-5'])
  })

  it('tells of a reset only the subscriptions whose position it passes over', () => {
    const seenA: unknown[] = []
    const seenB: unknown[] = []
    const a = sub(['a'], 'e-1', seenA)
    const b = sub(['b'], 'e-8', seenB)
    route({ channels: ['a', 'b'], from: 'e-1', subs: [a, b] }, { type: 'reset', reason: 'expired', cursor: 'e-5' }, () => {})
    expect(seenA).toEqual([['reset', 'e-5']])
    expect(seenB).toEqual([])
    expect([a.pos, b.pos]).toEqual(['e-5', 'e-8'])
  })

  it('positions cursorless subscriptions at a hello, and leaves positioned ones where they are', () => {
    const waiting = sub(['a'])
    const placed = sub(['b'], 'e-2')
    route({ channels: ['a', 'b'], from: undefined, subs: [waiting, placed] }, { type: 'hello', cursor: 'e-7' }, () => {})
    expect([waiting.pos, placed.pos]).toEqual(['e-7', 'e-2'])
  })
})
