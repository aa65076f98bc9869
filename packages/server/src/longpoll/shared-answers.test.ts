import { MemoryLog } from '@pushline/core'
import { afterEach, describe, expect, it } from 'vitest'
import { SharedAnswers } from './shared-answers.js'

const OPTIONS = { limit: 1000, maxBytes: 1024 * 1024 }
const logs: MemoryLog[] = []
const newLog = (): MemoryLog => {
  const log = new MemoryLog()
  logs.push(log)
  return log
}
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close()
})

describe('SharedAnswers', () => {
  it('hands every poll at one position the same serialized answer until the next event', async () => {
    const log = newLog()
    const start = await log.head()
    await log.append('a', { n: 1 })
    const answers = new SharedAnswers(log, OPTIONS)
    const [first, second] = await Promise.all([answers.read(['a'], start), answers.read(['a'], start)])
    expect(first.answer?.body).toBeInstanceOf(Buffer)
    expect(second.answer?.body).toBe(first.answer?.body)
    expect(JSON.parse(first.answer?.body.toString() ?? '{}').events).toHaveLength(1)
    await log.append('a', { n: 2 })
    const third = await answers.read(['a'], start)
    expect(third.answer?.body).not.toBe(first.answer?.body)
    expect(JSON.parse(third.answer?.body.toString() ?? '{}').events).toHaveLength(2)
    // Another channel set at the same cursor has its own answer.
    expect((await answers.read(['b'], start)).answer).toBeUndefined()
    answers.close()
  })

  it('holds every poll at one position on ONE log waiter and wakes them together', async () => {
    const log = newLog()
    const head = await log.head()
    const answers = new SharedAnswers(log, OPTIONS)
    const polls = Array.from({ length: 5 }, () => new AbortController())
    const woken = polls.map((poll) => answers.wait(['a'], head, poll.signal))
    expect(log.stats().waiters).toBe(1)
    // One poll going away leaves the others waiting.
    polls[0]?.abort()
    await expect(woken[0]).rejects.toBeDefined()
    expect(log.stats().waiters).toBe(1)
    await log.append('a', { n: 1 })
    await Promise.all(woken.slice(1))
    expect(log.stats().waiters).toBe(0)
    answers.close()
  })

  it('gives the log waiter back when every poll held there goes away', async () => {
    const log = newLog()
    const head = await log.head()
    const answers = new SharedAnswers(log, OPTIONS)
    const polls = [new AbortController(), new AbortController()]
    const woken = polls.map((poll) => answers.wait(['a'], head, poll.signal).catch(() => 'aborted'))
    expect(log.stats().waiters).toBe(1)
    for (const poll of polls) poll.abort()
    expect(await Promise.all(woken)).toEqual(['aborted', 'aborted'])
    expect(log.stats().waiters).toBe(0)
    answers.close()
  })
})
