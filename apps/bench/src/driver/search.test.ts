import { describe, expect, it } from 'vitest'
import type { FanoutStep } from './fanout.js'
import { gridIndex, gridRate, nearMiss, scaledStart, search } from './fanout.js'

/** Runs `search` against a server that sustains up to `limit` events/s; returns the rates it tried. */
async function tried(start: number, limit: number, budget = 12, range = { min: 1, max: 100_000 }): Promise<number[]> {
  const rates: number[] = []
  const step = (rate: number): FanoutStep => ({ rate, ok: rate <= limit }) as FanoutStep
  await search({ start, ...range }, async (rate) => {
    rates.push(rate)
    return step(rate)
  }, () => rates.length < budget)
  return rates
}

const best = (rates: readonly number[], limit: number): number => Math.max(...rates.filter((r) => r <= limit))

describe('the rate grid', () => {
  it('is 1,000 x 2^(i/8): eight steps per doubling, about 9 % apart', () => {
    expect([-8, 0, 1, 4, 8, 16].map(gridRate)).toEqual([500, 1000, 1091, 1414, 2000, 4000])
    expect(gridIndex(1000)).toBe(0)
    expect(gridIndex(2000)).toBe(8)
    // Any guess lands on the nearest grid rate: two systems' ladders meet the same rates.
    expect(gridRate(gridIndex(800))).toBe(771)
    expect(gridRate(gridIndex(2100))).toBe(2181)
  })
})

describe('the rate search', () => {
  it('doubles while steps pass, then bisects the edge down to one grid step', async () => {
    const rates = await tried(1000, 2500)
    expect(rates).toEqual([1000, 2000, 4000, 2828, 2378, 2594])
    expect(best(rates, 2500)).toBe(2378)
  })

  it('halves while steps fail, then bisects the edge', async () => {
    const rates = await tried(1000, 300)
    expect(rates).toEqual([1000, 500, 250, 354, 297, 324])
    expect(best(rates, 300)).toBe(297)
  })

  it('finds the same rate from different starting guesses', async () => {
    for (const limit of [450, 2500, 3100, 7000]) {
      const found = [300, 800, 1000, 2000, 5000].map(async (start) => best(await tried(start, limit), limit))
      const results = await Promise.all(found)
      expect(new Set(results).size).toBe(1)
      // Within one grid step (~9 %) under the true limit.
      expect(results[0]).toBeGreaterThan(limit / 2 ** (1 / 8))
    }
  })

  it('stops at the step budget', async () => {
    expect(await tried(1, 100_000, 3)).toEqual([1, 2, 4])
  })

  it('stays in its range', async () => {
    expect(await tried(1000, 1_000_000, 12, { min: 1, max: 3000 })).toEqual([1000, 2000])
    expect(await tried(1000, 0, 12, { min: 400, max: 100_000 })).toEqual([1000, 500])
  })
})

describe('the retry rule', () => {
  const failed = (p99Ms: number, latencyOnly = true): FanoutStep => ({ ok: false, p99Ms, latencyOnly }) as FanoutStep

  it('re-runs a step that failed on p99 alone, by less than 4x the limit', () => {
    expect(nearMiss(failed(140))).toBe(true)
    expect(nearMiss(failed(390))).toBe(true)
  })

  it('does not re-run a wide miss, a loss, a drop or a rate the publisher could not reach', () => {
    expect(nearMiss(failed(500))).toBe(false)
    expect(nearMiss(failed(140, false))).toBe(false)
    expect(nearMiss({ ok: true, p99Ms: 50, latencyOnly: false } as FanoutStep)).toBe(false)
  })
})

describe('the start of another N', () => {
  it('keeps the deliveries/s below the first N and scales by the square of the ratio above it', () => {
    expect(scaledStart(4_000, 1_000, 100)).toBe(40_000)
    expect(scaledStart(4_000, 1_000, 1_000)).toBe(4_000)
    expect(scaledStart(4_000, 1_000, 10_000)).toBe(40)
    // A plain peer's ladder at N = 1,000 (250 ev/s) starts low at N = 10,000 and climbs for free.
    expect(scaledStart(250, 1_000, 10_000)).toBe(2.5)
  })
})
