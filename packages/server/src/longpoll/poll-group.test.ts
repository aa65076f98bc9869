import { MemoryLog } from '@pushline/core'
import { afterEach, describe, expect, it } from 'vitest'
import { HoldRegistry } from '../lifecycle/hold-registry.js'
import { type Parked, PollGroup, type SharedAnswer } from './poll-group.js'

const LIMITS = { limit: 1000, maxBytes: 1024 * 1024 }
const logs: MemoryLog[] = []
const newLog = (): MemoryLog => {
  const log = new MemoryLog()
  logs.push(log)
  return log
}
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close()
})

/** A parked poll that records what it was answered. */
class Recorder implements Parked {
  isLive = true
  answers: SharedAnswer[] = []
  readonly answered: Promise<SharedAnswer>
  private resolve: (answer: SharedAnswer) => void = () => {}
  constructor(public position: string) {
    this.answered = new Promise((resolve) => {
      this.resolve = resolve
    })
  }
  answer(answer: SharedAnswer): void {
    this.isLive = false
    this.answers.push(answer)
    this.resolve(answer)
  }
  fail(): void {
    this.isLive = false
  }
}

describe('PollGroup', () => {
  it('hands every poll at one position the same serialized answer until the next event', async () => {
    const log = newLog()
    const start = await log.head()
    await log.append('a', { n: 1 })
    const group = new PollGroup(log, ['a'], LIMITS, new HoldRegistry())
    const [first, second] = await Promise.all([group.read(start), group.read(start)])
    expect(first.answer?.body).toBeInstanceOf(Buffer)
    expect(second.answer?.body).toBe(first.answer?.body)
    await log.append('a', { n: 2 })
    const third = await group.read(start)
    expect(third.answer?.body).not.toBe(first.answer?.body)
    expect(JSON.parse(third.answer?.body.toString() ?? '{}').events).toHaveLength(2)
    group.close()
  })

  it('wakes every parked poll in ONE batch with ONE answer for the events of a loop turn, and no log waiter', async () => {
    const log = newLog()
    const head = await log.head()
    const group = new PollGroup(log, ['a'], LIMITS, new HoldRegistry())
    const polls = Array.from({ length: 5 }, () => new Recorder(head))
    for (const poll of polls) group.park(poll, group.generation)
    expect(log.stats().waiters).toBe(0)
    // Two publishes in one turn: one answer carrying both.
    await Promise.all([log.append('a', { n: 1 }), log.append('a', { n: 2 })])
    const answers = await Promise.all(polls.map((poll) => poll.answered))
    for (const answer of answers) expect(answer.body).toBe(answers[0]?.body)
    expect(JSON.parse(answers[0]?.body.toString() ?? '{}').events).toHaveLength(2)
    expect(group.size).toBe(0)
    group.close()
  })

  it('leaves a poll that went away out of the batch, and releases a publish once no poll is parked', async () => {
    const log = newLog()
    const head = await log.head()
    const holds = new HoldRegistry()
    const group = new PollGroup(log, ['a'], LIMITS, holds)
    const gone = new Recorder(head)
    const stays = new Recorder(head)
    group.park(gone, group.generation)
    group.park(stays, group.generation)
    gone.isLive = false
    group.unpark(gone)
    await log.append('a', { n: 1 })
    const settled = holds.settled('a')
    expect(settled).toBeDefined()
    await stays.answered
    await settled
    expect(gone.answers).toHaveLength(0)
    expect(holds.settled('a')).toBeUndefined()
    group.close()
  })

  it('wakes a poll whose read began before an event at once, instead of parking it past that event', async () => {
    const log = newLog()
    const head = await log.head()
    const group = new PollGroup(log, ['a'], LIMITS, new HoldRegistry())
    const seen = group.generation
    await log.append('a', { n: 1 })
    const late = new Recorder(head)
    group.park(late, seen)
    expect(JSON.parse((await late.answered).body.toString()).events).toHaveLength(1)
    group.close()
  })
})

describe('PollGroup and the publishes waiting for it', () => {
  it('releases a publish made while a batch was being read, when no poll parked since needs waking for it', async () => {
    const log = newLog()
    const head = await log.head()
    // Reads take a timer turn, so a publish can land while a batch is being read.
    const slow = Object.create(log) as MemoryLog
    slow.read = async (...args: Parameters<MemoryLog['read']>) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return log.read(...args)
    }
    const holds = new HoldRegistry()
    const group = new PollGroup(slow, ['a'], LIMITS, holds)
    const first = new Recorder(head)
    group.park(first, group.generation)
    await log.append('a', { n: 1 })
    const woke = holds.settled('a')
    // The batch starts on the next turn; publish during its read.
    await new Promise((resolve) => setImmediate(resolve))
    const during = await log.append('a', { n: 2 })
    const late = holds.settled('a')
    expect(late).toBeDefined()
    // A poll that read past the second event parks afterwards: nothing wakes it for that event.
    group.park(new Recorder(during.cursor), group.generation)
    await first.answered
    await woke
    const released = await Promise.race([late?.then(() => 'released'), new Promise((resolve) => setTimeout(resolve, 500, 'stuck'))])
    expect(released).toBe('released')
    group.close()
  })
})
