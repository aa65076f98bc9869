import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConnectionSet, HEARTBEAT_SLICES, type LiveConnection } from './connections.js'

class Counting implements LiveConnection {
  beats = 0
  heartbeat(): void {
    this.beats++
  }
  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

describe('ConnectionSet heartbeats', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('heartbeats every connection once per period, a tenth of them per tick', () => {
    vi.useFakeTimers()
    const set = new ConnectionSet(1000)
    const all = Array.from({ length: 95 }, () => new Counting())
    for (const each of all) set.add(each)
    const beatsSoFar = (): number => all.reduce((sum, each) => sum + each.beats, 0)
    for (let tick = 1; tick <= HEARTBEAT_SLICES; tick++) {
      vi.advanceTimersByTime(1000 / HEARTBEAT_SLICES)
      // Never a burst of the whole set: at most ceil(95 / 10) per tick.
      expect(beatsSoFar()).toBeLessThanOrEqual(tick * Math.ceil(95 / HEARTBEAT_SLICES))
    }
    expect(all.map((each) => each.beats)).toEqual(all.map(() => 1))
    vi.advanceTimersByTime(1000)
    expect(all.map((each) => each.beats)).toEqual(all.map(() => 2))
    for (const each of all) set.delete(each)
    vi.advanceTimersByTime(5000)
    expect(beatsSoFar()).toBe(95 * 2)
  })

  it('heartbeats a lone connection once per period, not once per tick', () => {
    vi.useFakeTimers()
    const set = new ConnectionSet(1000)
    const lone = new Counting()
    set.add(lone)
    vi.advanceTimersByTime(3000)
    expect(lone.beats).toBe(3)
  })

  it('reaches connections that come in the middle of a round', () => {
    vi.useFakeTimers()
    const set = new ConnectionSet(1000)
    const first = Array.from({ length: 20 }, () => new Counting())
    for (const each of first) set.add(each)
    vi.advanceTimersByTime(500)
    const late = new Counting()
    set.add(late)
    vi.advanceTimersByTime(1200)
    expect(late.beats).toBeGreaterThanOrEqual(1)
    expect(first.every((each) => each.beats >= 1)).toBe(true)
  })
})
