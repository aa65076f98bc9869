import { describe, expect, it } from 'vitest'
import { cursorSeq, formatCursor, parseCursor } from '../cursor.js'
import type { ConformanceHarness } from './harness.js'
import { expectReset, expectStrictlyOrdered, readAll, sleep, withLog } from './helpers.js'

export function retentionSuite(harness: ConformanceHarness): void {
  describe('retention and resets', () => {
    it('answers a cursor older than what is retained with an expired reset, then resumes with what is left', async () => {
      await withLog(
        harness,
        async (log) => {
          const start = await log.head()
          for (let i = 0; i < 40; i++) await log.append('r', i)
          const reset = expectReset(await log.read(['r'], start), 'expired')
          const { events } = await readAll(log, ['r'], reset.cursor)
          expect(events.length).toBeGreaterThanOrEqual(10)
          expect(events.at(-1)?.data).toBe(39)
          expect(events.map((e) => e.data)).toEqual(Array.from({ length: events.length }, (_, i) => 40 - events.length + i))
          expectStrictlyOrdered(events)
        },
        { maxCount: 10 },
      )
    })

    it('does not reset a reader whose cursor is still retained', async () => {
      await withLog(
        harness,
        async (log) => {
          for (let i = 0; i < 40; i++) await log.append('r', i)
          const head = await log.head()
          await log.append('r', 40)
          const { events } = await readAll(log, ['r'], head)
          expect(events.map((e) => e.data)).toEqual([40])
        },
        { maxCount: 10 },
      )
    })

    it('drops events older than maxAgeMs and resets readers before them', async () => {
      await withLog(
        harness,
        async (log) => {
          const start = await log.head()
          await log.append('aged', 'old')
          await sleep(300)
          await log.append('aged', 'new')
          const reset = expectReset(await log.read(['aged'], start), 'expired')
          const { events } = await readAll(log, ['aged'], reset.cursor)
          expect(events.map((e) => e.data)).toEqual(['new'])
        },
        { maxAgeMs: 100 },
      )
    })

    it('resets a cursor from a lost history with reason epoch, and resumes on the new one', async () => {
      let log = await harness.create()
      try {
        await log.append('e', 'before')
        const old = await log.head()
        log = await harness.loseHistory(log)
        await log.append('e', 'after')
        const reset = expectReset(await log.read(['e'], old), 'epoch')
        expect(parseCursor(reset.cursor).epoch).not.toBe(parseCursor(old).epoch)
        const { events } = await readAll(log, ['e'], reset.cursor)
        expect(events.map((e) => e.data)).toEqual(['after'])
        // wait() must not hang on a cursor that needs a reset.
        await log.wait(['e'], old)
      } finally {
        await log.close()
      }
    })

    it('treats a cursor ahead of the head as another history', async () => {
      await withLog(harness, async (log) => {
        await log.append('f', 1)
        const head = parseCursor(await log.head())
        expectReset(await log.read(['f'], formatCursor(head.epoch, head.seq + 1000)), 'epoch')
      })
    })

    it('resets a cursor of an unknown epoch', async () => {
      await withLog(harness, async (log) => {
        await log.append('g', 1)
        const reset = expectReset(await log.read(['g'], formatCursor('zzzzzzzz', 1)), 'epoch')
        expect(cursorSeq(reset.cursor)).toBeLessThanOrEqual(cursorSeq(await log.head()))
      })
    })
  })
}
