import { describe, expect, it } from 'vitest'
import { StepTurns } from './turns.js'

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1))

describe('StepTurns', () => {
  it('runs one piece of work at a time, in the order asked, through failures', async () => {
    const turns = new StepTurns()
    const log: string[] = []
    let running = 0
    const work = (name: string, fail = false) => async (): Promise<string> => {
      running += 1
      log.push(`${name} start ${running}`)
      await tick()
      await tick()
      running -= 1
      log.push(`${name} end`)
      if (fail) throw new Error(name)
      return name
    }
    // Two ladders asking in turn, the way runFanout does: a's second step queues behind b's first.
    const a = (async () => [await turns.run(work('a1')), await turns.run(work('a2'))])()
    const b = (async () => [await turns.run(work('b1', true)).catch((e: Error) => `failed ${e.message}`), await turns.run(work('b2'))])()
    expect(await Promise.all([a, b])).toEqual([
      ['a1', 'a2'],
      ['failed b1', 'b2'],
    ])
    expect(log).toEqual(['a1 start 1', 'a1 end', 'b1 start 1', 'b1 end', 'a2 start 1', 'a2 end', 'b2 start 1', 'b2 end'])
  })
})
