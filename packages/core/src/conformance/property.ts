import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cursorSeq } from '../cursor.js'
import type { ConformanceHarness } from './harness.js'
import { collect } from './handoff.js'
import { readAll, sleep, until, withLog } from './helpers.js'

const CHANNELS = ['p0', 'p1', 'p2', 'p3'] as const

type Step =
  | { kind: 'append'; channel: number }
  | { kind: 'read'; channels: number[]; at: number; limit: number }
  | { kind: 'follow'; channels: number[] }
  | { kind: 'yield' }

const channelSet = fc.uniqueArray(fc.integer({ min: 0, max: CHANNELS.length - 1 }), { minLength: 1, maxLength: 4 })
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), channel: fc.integer({ min: 0, max: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      channels: channelSet,
      at: fc.nat(),
      limit: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('follow' as const), channels: channelSet }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'yield' as const }) },
)

/**
 * Random interleavings of appends (not awaited, so they race), paged reads from random known positions, and
 * followers started mid-stream must all match a plain array: the reference model of the log.
 */
export function propertySuite(harness: ConformanceHarness, numRuns: number): void {
  describe('matches the reference model under random interleavings', () => {
    it('reads and follows exactly what the model says', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
          await withLog(harness, async (log) => {
            const model: { channel: string; data: number; cursor: string }[] = []
            const positions: string[] = [await log.head()]
            const pending: Promise<unknown>[] = []
            const followers: { channels: string[]; from: string; followed: ReturnType<typeof collect> }[] = []
            let counter = 0
            for (const s of steps) {
              if (s.kind === 'append') {
                const data = counter++
                const channel: string = CHANNELS[s.channel] ?? 'p0'
                pending.push(
                  log.append(channel, data).then((event) => {
                    model.push({ channel, data, cursor: event.cursor })
                    positions.push(event.cursor)
                  }),
                )
              } else if (s.kind === 'yield') {
                await Promise.all(pending.splice(0))
              } else if (s.kind === 'read') {
                const channels: string[] = s.channels.map((c) => CHANNELS[c] ?? 'p0')
                const from = positions[s.at % positions.length] ?? positions[0] ?? ''
                const { events } = await readAll(log, channels, from, s.limit)
                const settled = [...model].sort((a, b) => cursorSeq(a.cursor) - cursorSeq(b.cursor))
                const expected = settled.filter((e) => channels.includes(e.channel) && cursorSeq(e.cursor) > cursorSeq(from))
                // Appends still in flight may or may not be visible; what is settled must be there, in order.
                for (const e of events) {
                  expect(channels).toContain(e.channel)
                  expect(cursorSeq(e.cursor)).toBeGreaterThan(cursorSeq(from))
                }
                const seen = events.map((e) => e.data)
                const expectedData = expected.map((e) => e.data)
                expect(seen.filter((d) => expectedData.includes(d as number))).toEqual(expectedData)
                for (let i = 1; i < events.length; i++)
                  expect(cursorSeq(events[i]?.cursor ?? '')).toBeGreaterThan(cursorSeq(events[i - 1]?.cursor ?? ''))
              } else {
                const channels: string[] = s.channels.map((c) => CHANNELS[c] ?? 'p0')
                const from = await log.head()
                followers.push({ channels, from, followed: collect(log, channels, from, 3) })
              }
            }
            await Promise.all(pending)
            const all = [...model].sort((a, b) => cursorSeq(a.cursor) - cursorSeq(b.cursor))
            for (const { channels, from, followed } of followers) {
              const expected = all.filter((e) => channels.includes(e.channel) && cursorSeq(e.cursor) > cursorSeq(from))
              await until(() => followed.events.length >= expected.length, 5000)
              await sleep(5)
              followed.follower.close()
              expect(followed.events.map((e) => e.data)).toEqual(expected.map((e) => e.data))
            }
          })
        }),
        { numRuns },
      )
    })
  })
}
