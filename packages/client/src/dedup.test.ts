import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAfter, isNewReset } from './dedup.js'

describe('dedup by cursor', () => {
  it('accepts only what is strictly after the position, in the same epoch', () => {
    expect(isAfter(undefined, 'e1-5')).toBe(true)
    expect(isAfter('e1-5', 'e1-6')).toBe(true)
    expect(isAfter('e1-5', 'e1-5')).toBe(false)
    expect(isAfter('e1-5', 'e1-4')).toBe(false)
    expect(isAfter('e1-5', 'e2-9')).toBe(false)
    // numeric, not lexicographic
    expect(isAfter('e1-9', 'e1-10')).toBe(true)
  })

  it('takes a reset that moves the position (expired: forward; epoch: elsewhere), not a stale repeat', () => {
    expect(isNewReset('e1-5', 'e1-20')).toBe(true)
    expect(isNewReset('e1-5', 'e2-0')).toBe(true)
    expect(isNewReset('e2-0', 'e2-0')).toBe(false)
    expect(isNewReset('e1-20', 'e1-7')).toBe(false)
  })

  it('merges overlapping gapless streams into exactly-once, in-order delivery', () => {
    // Any number of connections, each gapless after the position it started from, interleaved arbitrarily.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 400 }),
        (total, schedule) => {
          const log = Array.from({ length: total }, (_, i) => `ep-${i + 1}`)
          let position: string | undefined = 'ep-0'
          const delivered: string[] = []
          // each stream: [next index to send]; a new stream starts from the current position
          const streams: number[] = [0]
          for (const [pick, action] of schedule) {
            if (action % 7 === 0) {
              const start = Number(position!.split('-')[1])
              streams.push(start)
              continue
            }
            const s = pick % streams.length
            const next = streams[s]!
            if (next >= total) continue
            streams[s] = next + 1
            const cursor = log[next]!
            if (isAfter(position, cursor)) {
              position = cursor
              delivered.push(cursor)
            }
          }
          // drain every stream
          for (let s = 0; s < streams.length; s++) {
            while (streams[s]! < total) {
              const cursor = log[streams[s]!++]!
              if (isAfter(position, cursor)) {
                position = cursor
                delivered.push(cursor)
              }
            }
          }
          expect(delivered).toEqual(log)
        },
      ),
    )
  })
})
