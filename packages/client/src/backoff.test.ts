import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff.js'

describe('backoffDelay', () => {
  const options = { baseMs: 100, capMs: 5000 }

  it('draws from [0, base * 2^attempt) with full jitter', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(0)
    expect(backoffDelay(0, options, () => 0.999)).toBe(99)
    expect(backoffDelay(3, options, () => 0.5)).toBe(400)
  })

  it('never exceeds the cap, however many attempts, and never goes negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, options, () => r)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(options.capMs)
      }),
    )
  })

  it('grows the ceiling exponentially until the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 1))
    expect(ceilings).toEqual([100, 200, 400, 800, 1600, 3200, 5000])
  })
})
