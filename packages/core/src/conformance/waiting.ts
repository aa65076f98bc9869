import { describe, expect, it } from 'vitest'
import type { LogEvent } from '../event.js'
import type { ConformanceHarness } from './harness.js'
import { rejectionCode, settlesWithin, sleep, until, withLog } from './helpers.js'

export function waitingSuite(harness: ConformanceHarness): void {
  describe('wait', () => {
    it('resolves at once when events are already there', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        await log.append('w', 1)
        expect(await settlesWithin(log.wait(['w'], start), 2000)).toBe(true)
      })
    })

    it('resolves on an append to one of its channels, not to another channel', async () => {
      await withLog(harness, async (log) => {
        const head = await log.head()
        const waiting = log.wait(['w1', 'w2'], head)
        await log.append('other', 1)
        expect(await settlesWithin(waiting, 150)).toBe(false)
        await log.append('w2', 2)
        expect(await settlesWithin(waiting, 2000)).toBe(true)
      })
    })

    it('rejects with RT_ERR_LOG_ABORTED when its signal aborts', async () => {
      await withLog(harness, async (log) => {
        const head = await log.head()
        const controller = new AbortController()
        const waiting = log.wait(['w'], head, controller.signal)
        setTimeout(() => controller.abort(), 20)
        expect(await rejectionCode(waiting)).toBe('RT_ERR_LOG_ABORTED')
        const already = new AbortController()
        already.abort()
        expect(await rejectionCode(log.wait(['w'], head, already.signal))).toBe('RT_ERR_LOG_ABORTED')
      })
    })

    it('rejects pending waits with RT_ERR_LOG_CLOSED when the log closes', async () => {
      const log = await harness.create()
      const head = await log.head()
      // The rejection handler is attached before closing: close() may await I/O after rejecting its waiters.
      const code = rejectionCode(log.wait(['w'], head))
      await sleep(20)
      await log.close()
      expect(await code).toBe('RT_ERR_LOG_CLOSED')
    })

    it('serves thousands of waiters on thousands of channels, waking only the right one', async () => {
      await withLog(harness, async (log) => {
        const head = await log.head()
        const controllers: AbortController[] = []
        const woken: boolean[] = []
        const waits = Array.from({ length: 3000 }, (_, i) => {
          const controller = new AbortController()
          controllers.push(controller)
          woken.push(false)
          return log.wait([`many-${i}`], head, controller.signal).then(
            () => {
              woken[i] = true
            },
            () => undefined,
          )
        })
        // No wait after registering: a wait's threshold is its cursor, so an append right after it wakes it.
        await log.append('many-1234', 'x')
        expect(await settlesWithin(waits[1234] ?? Promise.reject(new Error('no wait 1234')), 2000)).toBe(true)
        await sleep(50)
        expect(woken.filter(Boolean)).toHaveLength(1)
        for (const controller of controllers) controller.abort()
        expect(await settlesWithin(Promise.all(waits), 5000)).toBe(true)
        expect(woken.filter(Boolean)).toHaveLength(1)
      })
    })
  })

  describe('listen', () => {
    it('delivers appended events of its channels, in order, until unlistened', async () => {
      await withLog(harness, async (log) => {
        const seen: LogEvent[] = []
        // Active on return (the EventLog contract): appends right after listen are delivered, no wait in between.
        const unlisten = log.listen(['l1', 'l2'], { onEvent: (event) => seen.push(event) })
        for (let i = 0; i < 20; i++) await log.append(['l1', 'l2', 'l3'][i % 3] ?? 'l3', i)
        await until(() => seen.length >= 14, 5000, '14 events')
        expect(seen.map((e) => e.data)).toEqual([0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19])
        // After unlisten, nothing: a marker seen by a second listener comes after where 'late' would have been.
        const markers: LogEvent[] = []
        const unmark = log.listen(['l1'], { onEvent: (event) => markers.push(event) })
        unlisten()
        await log.append('l1', 'late')
        await until(() => markers.length === 1, 5000, 'the marker')
        unmark()
        expect(seen).toHaveLength(14)
      })
    })
  })
}
