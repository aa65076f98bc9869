import { describe, expect, it } from 'vitest'
import type { FanoutStep } from './fanout.js'
import { search } from './fanout.js'

/** Runs `search` against a server that sustains up to `limit` events/s; returns the rates it tried. */
async function tried(start: number, limit: number, budget = 12): Promise<number[]> {
  const rates: number[] = []
  const step = (rate: number): FanoutStep => ({ rate, ok: rate <= limit }) as FanoutStep
  await search({ start, min: 1, max: 100_000 }, async (rate) => {
    rates.push(rate)
    return step(rate)
  }, () => rates.length < budget)
  return rates
}

describe('the rate search', () => {
  it('doubles while steps pass, then tries the middle of the edge', async () => {
    expect(await tried(100, 500)).toEqual([100, 200, 400, 800, 566])
  })

  it('halves while steps fail, then tries the middle of the edge', async () => {
    expect(await tried(1000, 300)).toEqual([1000, 500, 250, 354])
  })

  it('stops at the step budget', async () => {
    expect(await tried(1, 100_000, 3)).toEqual([1, 2, 4])
  })
})
