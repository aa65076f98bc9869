import { describe, expect, it } from 'vitest'
import type { LogEvent, Reset } from '../event.js'
import { type Follower, follow } from '../follow.js'
import type { EventLog } from '../log.js'
import type { ConformanceHarness } from './harness.js'
import { expectStrictlyOrdered, sleep, until, withLog } from './helpers.js'

/** Follows `channels` and collects what the follower hands over. */
export function collect(log: EventLog, channels: readonly string[], after: string, batchLimit = 1000) {
  const events: LogEvent[] = []
  const resets: Reset[] = []
  const errors: unknown[] = []
  const follower: Follower = follow(
    log,
    channels,
    after,
    { onEvent: (e) => events.push(e), onReset: (r) => resets.push(r), onError: (e) => errors.push(e) },
    { batchLimit },
  )
  return { events, resets, errors, follower }
}

export function handoffSuite(harness: ConformanceHarness): void {
  describe('catch-up to live hand-off (follow)', () => {
    it('hands over history then live events with no gap and no duplicate while appends race', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        for (let i = 0; i < 300; i++) await log.append(i % 2 ? 'h1' : 'h2', i)
        const followed = collect(log, ['h1', 'h2'], start, 37)
        const racing = (async () => {
          for (let i = 300; i < 1500; i++) {
            await log.append(i % 2 ? 'h1' : 'h2', i)
            if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve))
          }
        })()
        await racing
        await until(() => followed.events.length >= 1500)
        await sleep(50)
        followed.follower.close()
        expect(followed.errors).toEqual([])
        expect(followed.events.map((e) => e.data)).toEqual(Array.from({ length: 1500 }, (_, i) => i))
        expectStrictlyOrdered(followed.events)
        expect(followed.follower.live).toBe(true)
      })
    })

    it('starts many followers at racing positions and each gets exactly its suffix', async () => {
      await withLog(harness, async (log) => {
        const followers: { start: number; followed: ReturnType<typeof collect> }[] = []
        for (let i = 0; i < 400; i++) {
          if (i % 40 === 0) followers.push({ start: i, followed: collect(log, ['race'], await log.head(), 16) })
          void log.append('race', i)
          if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve))
        }
        await log.append('race', 400)
        for (const { start, followed } of followers) {
          await until(() => followed.events.length >= 401 - start)
          await sleep(20)
          followed.follower.close()
          expect(followed.events.map((e) => e.data)).toEqual(Array.from({ length: 401 - start }, (_, k) => start + k))
        }
      })
    })

    it('passes a reset to the follower and continues from its cursor', async () => {
      await withLog(
        harness,
        async (log) => {
          const start = await log.head()
          for (let i = 0; i < 30; i++) await log.append('fr', i)
          const followed = collect(log, ['fr'], start)
          await until(() => followed.events.at(-1)?.data === 29)
          await log.append('fr', 30)
          await until(() => followed.events.at(-1)?.data === 30)
          followed.follower.close()
          expect(followed.resets.map((r) => r.reason)).toEqual(['expired'])
          expectStrictlyOrdered(followed.events)
          expect(followed.events.length).toBeGreaterThanOrEqual(11)
        },
        { maxCount: 10 },
      )
    })

    it('stops delivering after close', async () => {
      await withLog(harness, async (log) => {
        const followed = collect(log, ['stop'], await log.head())
        await log.append('stop', 1)
        await until(() => followed.events.length === 1)
        followed.follower.close()
        await log.append('stop', 2)
        await sleep(100)
        expect(followed.events.map((e) => e.data)).toEqual([1])
      })
    })
  })
}
