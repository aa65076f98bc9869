import { describe, expect, it } from 'vitest'
import { medianRuns, type PollCostRun, type PollCostSystem } from './poll-cost.js'

const run = (system: PollCostSystem, answersPerSec: number, error?: string): PollCostRun => ({
  system,
  answersPerSec,
  serverCpuPct: 100,
  serverUsPerAnswer: 1e6 / answersPerSec,
  clientCpuPct: 50,
  bodyBytes: 1000,
  bound: 'server',
  ...(error ? { error } : {}),
})

describe('medianRuns', () => {
  it('takes the run of the median answers/s per system, leaving out runs with an error', () => {
    const median = medianRuns([
      run('pushline-longpoll', 12_000),
      run('longpoll-plain', 15_000),
      run('pushline-longpoll', 9_000),
      run('longpoll-plain', 14_000, 'polls failed'),
      run('pushline-longpoll', 13_000),
      run('longpoll-plain', 13_000),
    ])
    expect(median['pushline-longpoll']?.answersPerSec).toBe(12_000)
    // Two runs without an error: the lower of the two.
    expect(median['longpoll-plain']?.answersPerSec).toBe(13_000)
    expect(median['fastify-floor']).toBeUndefined()
  })
})
