import { expect } from 'vitest'
import { cursorSeq } from '../cursor.js'
import type { LogEvent, ReadResult, Reset } from '../event.js'
import type { EventLog } from '../log.js'
import type { ConformanceHarness, ConformanceLogOptions } from './harness.js'

/** Reads every event on `channels` after `after`, page by page, failing on a reset. */
export async function readAll(
  log: EventLog,
  channels: readonly string[],
  after: string,
  limit = 1000,
): Promise<{ events: LogEvent[]; cursor: string }> {
  const events: LogEvent[] = []
  let cursor = after
  for (let page = 0; page < 100_000; page++) {
    const result = await log.read(channels, cursor, { limit })
    if (result.type === 'reset') throw new Error(`unexpected reset ${JSON.stringify(result)}`)
    events.push(...result.events)
    cursor = result.cursor
    if (!result.more) return { events, cursor }
  }
  throw new Error('readAll did not finish')
}

export function expectReset(result: ReadResult, reason: Reset['reason']): Reset {
  expect(result.type).toBe('reset')
  if (result.type !== 'reset') throw new Error('not a reset')
  expect(result.reason).toBe(reason)
  expect(typeof result.cursor).toBe('string')
  return result
}

export function expectStrictlyOrdered(events: readonly LogEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(cursorSeq(events[i]?.cursor ?? '')).toBeGreaterThan(cursorSeq(events[i - 1]?.cursor ?? ''))
  }
}

/** Rejects with the PushlineError code of `promise`'s rejection, or fails when it resolves. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
  throw new Error('expected a rejection')
}

/** Waits for `condition` (checked every 5 ms), failing after `ms`. */
export async function until(condition: () => boolean, ms = 10_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the promise keeps running). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  const settled = promise.then(
    () => true,
    () => true,
  )
  try {
    return await Promise.race([settled, timeout])
  } finally {
    clearTimeout(timer)
  }
}

let unique = 0
/** A channel name unique to this process run, so tests never see each other's events. */
export function channelName(base: string): string {
  unique++
  return `${base}-${process.pid}-${unique}`
}

/** A fresh log from the harness for `run`, closed afterwards whatever happens. */
export async function withLog<T>(
  harness: ConformanceHarness,
  run: (log: EventLog) => Promise<T>,
  options?: ConformanceLogOptions,
): Promise<T> {
  const log = await harness.create(options)
  try {
    return await run(log)
  } finally {
    await log.close()
  }
}
