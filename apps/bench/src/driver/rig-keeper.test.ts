import { describe, expect, it } from 'vitest'
import { RigKeeper } from './rig-keeper.js'

/** A keeper over numbered fake rigs; a step fails at the rates in `failing`, and every call is logged. */
function keeperOf(failing: readonly number[]) {
  const log: string[] = []
  let next = 0
  const keeper = new RigKeeper<number, { ok: boolean; rig: number }>({
    start: async () => {
      next += 1
      log.push(`start ${next}`)
      return next
    },
    stop: async (rig) => {
      log.push(`stop ${rig}`)
    },
    measure: async (rig, rate) => {
      log.push(`measure ${rate} on ${rig}`)
      return { ok: !failing.includes(rate), rig }
    },
  })
  return { keeper, log }
}

describe('RigKeeper', () => {
  it('keeps one rig while steps pass', async () => {
    const { keeper, log } = keeperOf([])
    for (const rate of [100, 200, 400]) await keeper.measure(rate)
    await keeper.close()
    expect(log).toEqual(['start 1', 'measure 100 on 1', 'measure 200 on 1', 'measure 400 on 1', 'stop 1'])
  })

  it('measures the step after a failed one on a fresh rig, the old one stopped first', async () => {
    const { keeper, log } = keeperOf([800, 566])
    const rigs = []
    for (const rate of [400, 800, 566, 476]) rigs.push((await keeper.measure(rate)).rig)
    await keeper.close()
    expect(rigs).toEqual([1, 1, 2, 3])
    expect(log).toEqual([
      'start 1',
      'measure 400 on 1',
      'measure 800 on 1',
      'stop 1',
      'start 2',
      'measure 566 on 2',
      'stop 2',
      'start 3',
      'measure 476 on 3',
      'stop 3',
    ])
  })

  it('starts no rig after the last step, failed or not', async () => {
    const { keeper, log } = keeperOf([800])
    await keeper.measure(800)
    await keeper.close()
    expect(log).toEqual(['start 1', 'measure 800 on 1', 'stop 1'])
  })

  it('hands out the first rig before any step (its figures with N connected)', async () => {
    const { keeper, log } = keeperOf([])
    expect(await keeper.current()).toBe(1)
    await keeper.measure(100)
    await keeper.close()
    await keeper.close()
    expect(log).toEqual(['start 1', 'measure 100 on 1', 'stop 1'])
  })
})
