import { describe, expect, it } from 'vitest'
import { Ring } from './ring.js'

function contents(ring: Ring<string>): [string | undefined, number, number][] {
  const out: [string | undefined, number, number][] = []
  for (let i = ring.first; i < ring.end; i++) out.push([ring.item(i), ring.a(i, -1), ring.b(i, -1)])
  return out
}

describe('Ring', () => {
  it('keeps records in order through growth, wrap-around and shifts', () => {
    const ring = new Ring<string>()
    const expected: [string, number, number][] = []
    let next = 0
    // Grow to 40, then slide a window of 40 far past the capacity, so that every slot wraps many times.
    for (; next < 40; next++) {
      ring.push(`e${next}`, next, next * 10)
      expected.push([`e${next}`, next, next * 10])
    }
    for (; next < 1000; next++) {
      ring.shift()
      expected.shift()
      ring.push(`e${next}`, next, next * 10)
      expected.push([`e${next}`, next, next * 10])
      expect(ring.length).toBe(40)
    }
    expect(contents(ring)).toEqual(expected)
    // A range that wraps around the end of the ring's array comes back whole and in order.
    for (let from = ring.first; from < ring.end; from += 7) {
      expect(ring.values(from, ring.end)).toEqual(expected.slice(from - ring.first).map(([item]) => item))
    }
  })

  it('answers the fallback outside [first, end) and survives shifting an empty ring', () => {
    const ring = new Ring<string>()
    ring.shift()
    expect(ring.length).toBe(0)
    ring.push('a', 1, 2)
    expect(ring.item(ring.first - 1)).toBeUndefined()
    expect(ring.a(ring.end, 7)).toBe(7)
    expect(ring.b(ring.end, 8)).toBe(8)
    ring.shift()
    expect(ring.length).toBe(0)
    expect(ring.item(0)).toBeUndefined()
  })

  it('shrinks back after a burst and keeps what is left', () => {
    const ring = new Ring<string>()
    for (let i = 0; i < 20_000; i++) ring.push(`e${i}`, i, i)
    for (let i = 0; i < 19_990; i++) ring.shift()
    expect(contents(ring)).toEqual(Array.from({ length: 10 }, (_, k) => [`e${19_990 + k}`, 19_990 + k, 19_990 + k]))
  })
})
