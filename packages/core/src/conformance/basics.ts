import { describe, expect, it } from 'vitest'
import { cursorSeq } from '../cursor.js'
import type { ConformanceHarness } from './harness.js'
import { expectStrictlyOrdered, readAll, rejectionCode, withLog } from './helpers.js'

export function basicsSuite(harness: ConformanceHarness): void {
  describe('append and read', () => {
    it('appends in order and reads everything after a cursor', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        const appended = []
        for (let i = 0; i < 50; i++) appended.push(await log.append('orders', { i }))
        expectStrictlyOrdered(appended)
        const { events } = await readAll(log, ['orders'], start)
        expect(events.map((e) => e.data)).toEqual(appended.map((_, i) => ({ i })))
        expect(events.map((e) => e.cursor)).toEqual(appended.map((e) => e.cursor))
        expect(events.every((e) => e.channel === 'orders')).toBe(true)
      })
    })

    it('round-trips any JSON value', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        const values = [null, true, 0, -1.5, 'text with "quotes" and \n newline and ünïcödé', [1, [2, {}]], { a: { b: [null] } }]
        for (const value of values) await log.append('json', value)
        const { events } = await readAll(log, ['json'], start)
        expect(events.map((e) => e.data)).toEqual(values)
      })
    })

    it('starts a reader at head after everything already appended', async () => {
      await withLog(harness, async (log) => {
        await log.append('a', 1)
        const head = await log.head()
        await log.append('a', 2)
        const { events } = await readAll(log, ['a'], head)
        expect(events.map((e) => e.data)).toEqual([2])
      })
    })

    it('resumes several channels with one cursor, in log order, without other channels', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        const expected: unknown[] = []
        for (let i = 0; i < 30; i++) {
          const channel = ['a', 'b', 'c'][i % 3] ?? 'a'
          await log.append(channel, i)
          if (channel !== 'c') expected.push(i)
        }
        const { events } = await readAll(log, ['a', 'b'], start)
        expect(events.map((e) => e.data)).toEqual(expected)
        expectStrictlyOrdered(events)
        const middle = events[9]?.cursor ?? ''
        const rest = await readAll(log, ['b', 'a'], middle)
        expect(rest.events.map((e) => e.data)).toEqual(expected.slice(10))
      })
    })

    it('pages with limit without gap or duplicate, and reports more', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        for (let i = 0; i < 25; i++) await log.append(i % 2 ? 'x' : 'y', i)
        const first = await log.read(['x', 'y'], start, { limit: 10 })
        expect(first.type).toBe('events')
        if (first.type !== 'events') return
        expect(first.events).toHaveLength(10)
        expect(first.more).toBe(true)
        expect(first.cursor).toBe(first.events[9]?.cursor)
        const { events } = await readAll(log, ['x', 'y'], start, 7)
        expect(events.map((e) => e.data)).toEqual(Array.from({ length: 25 }, (_, i) => i))
      })
    })

    it('moves an idle reader to head so a quiet channel never falls behind', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        for (let i = 0; i < 5; i++) await log.append('busy', i)
        const result = await log.read(['quiet'], start)
        expect(result.type).toBe('events')
        if (result.type !== 'events') return
        expect(result.events).toHaveLength(0)
        expect(result.more).toBe(false)
        expect(cursorSeq(result.cursor)).toBe(cursorSeq(await log.head()))
      })
    })

    it('gives concurrent appends distinct, totally ordered cursors', async () => {
      await withLog(harness, async (log) => {
        const start = await log.head()
        const appended = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(`ch${i % 7}`, i)))
        expect(new Set(appended.map((e) => e.cursor)).size).toBe(200)
        const { events } = await readAll(log, ['ch0', 'ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ch6'], start)
        expect(events).toHaveLength(200)
        expectStrictlyOrdered(events)
      })
    })
  })

  describe('bad input', () => {
    it('rejects malformed cursors with RT_ERR_CURSOR_MALFORMED', async () => {
      await withLog(harness, async (log) => {
        for (const bad of ['', 'nope', '-1', 'abc-', 'abc-01', 'ABC-1', 'abc-1-2', 'abc-99999999999999999', ' abc-1']) {
          expect(await rejectionCode(log.read(['a'], bad))).toBe('RT_ERR_CURSOR_MALFORMED')
          expect(await rejectionCode(log.wait(['a'], bad))).toBe('RT_ERR_CURSOR_MALFORMED')
        }
      })
    })

    it('rejects invalid channel names with RT_ERR_CHANNEL_INVALID', async () => {
      await withLog(harness, async (log) => {
        const head = await log.head()
        for (const bad of ['', 'a b', 'x'.repeat(129), 'new\nline', 'é', '{tag}']) {
          expect(await rejectionCode(log.append(bad, 1))).toBe('RT_ERR_CHANNEL_INVALID')
          expect(await rejectionCode(log.read([bad], head))).toBe('RT_ERR_CHANNEL_INVALID')
        }
      })
    })

    it('rejects data that is not JSON, or too large, and appends nothing', async () => {
      await withLog(
        harness,
        async (log) => {
          const head = await log.head()
          const cyclic: Record<string, unknown> = {}
          cyclic.self = cyclic
          for (const bad of [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, 10n, cyclic, { a: undefined }]) {
            expect(await rejectionCode(log.append('a', bad))).toBe('RT_ERR_PAYLOAD_INVALID')
          }
          expect(await rejectionCode(log.append('a', 'x'.repeat(2000)))).toBe('RT_ERR_PAYLOAD_TOO_LARGE')
          expect((await readAll(log, ['a'], head)).events).toHaveLength(0)
          await log.append('a', 'x'.repeat(900))
          expect((await readAll(log, ['a'], head)).events).toHaveLength(1)
        },
        { maxPayloadBytes: 1024 },
      )
    })
  })
}
