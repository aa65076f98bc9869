import { describe, expect, it } from 'vitest'
import { interleaved, medianBy } from './interleave.js'

interface Run {
  readonly system: 'a' | 'b' | 'c'
  readonly us: number
  readonly error?: string
}

describe('interleaved', () => {
  it('runs every system once per round, in turn, and reports each run as it ends', async () => {
    const seen: string[] = []
    let clock = 0
    const runs = await interleaved(
      ['a', 'b'] as const,
      3,
      async (system) => ({ system, us: ++clock }),
      (run) => seen.push(`${run.system}${run.us}`),
    )
    expect(runs.map((run) => run.system)).toEqual(['a', 'b', 'a', 'b', 'a', 'b'])
    expect(seen).toEqual(['a1', 'b2', 'a3', 'b4', 'a5', 'b6'])
  })
})

describe('medianBy', () => {
  it('takes the run of the median figure per system, leaving out runs with an error', () => {
    const runs: Run[] = [
      { system: 'a', us: 24 },
      { system: 'b', us: 13 },
      { system: 'a', us: 30 },
      { system: 'b', us: 9, error: 'publishes failed' },
      { system: 'a', us: 21 },
      { system: 'b', us: 15 },
    ]
    const median = medianBy(runs, ['a', 'b', 'c'] as const, (run) => run.us)
    expect(median.a?.us).toBe(24)
    // Two runs without an error: the lower of the two.
    expect(median.b?.us).toBe(13)
    expect(median.c).toBeUndefined()
  })
})
