import { describe, expect, it } from 'vitest'
import { gridRate } from './fanout.js'
import { spreadOf } from './reproduce.js'

describe('the reproducibility check', () => {
  it('counts the grid steps between the lowest and the highest run', () => {
    expect(spreadOf([gridRate(4), gridRate(4), gridRate(4)])).toEqual({ spreadSteps: 0, reproduces: true })
    expect(spreadOf([gridRate(4), gridRate(5), gridRate(4)])).toEqual({ spreadSteps: 1, reproduces: true })
    expect(spreadOf([gridRate(3), gridRate(5), gridRate(4)])).toEqual({ spreadSteps: 2, reproduces: false })
    // Rates off the grid (a fixed ladder) land on their nearest grid step.
    expect(spreadOf([1000, 2000])).toEqual({ spreadSteps: 8, reproduces: false })
  })

  it('does not call runs reproducible when one of them sustained nothing, or there is only one', () => {
    expect(spreadOf([gridRate(4), null, gridRate(4)])).toEqual({ spreadSteps: null, reproduces: false })
    expect(spreadOf([gridRate(4)])).toEqual({ spreadSteps: null, reproduces: false })
  })
})
