import { describe, expect, it } from 'vitest'
import { medianPubRuns, type PubCostRun, type PubCostSystem } from './pub-cost.js'

const run = (system: PubCostSystem, serverUsPerPublish: number, error?: string): PubCostRun => ({
  system,
  publishes: 25_000,
  serverUsPerPublish,
  serverCpuPct: Math.round(serverUsPerPublish / 2),
  publisherUsPerPublish: 10,
  ...(error ? { error } : {}),
})

describe('medianPubRuns', () => {
  it('takes the run of the median server CPU per publish per system, leaving out runs with an error', () => {
    const median = medianPubRuns([
      run('pushline', 24),
      run('longpoll-plain', 13),
      run('pushline', 30),
      run('longpoll-plain', 9, 'publishes failed'),
      run('pushline', 21),
      run('longpoll-plain', 15),
    ])
    expect(median.pushline?.serverUsPerPublish).toBe(24)
    // Two runs without an error: the cheaper of the two.
    expect(median['longpoll-plain']?.serverUsPerPublish).toBe(13)
    expect(median['fastify-floor']).toBeUndefined()
  })
})
