import { describe, expect, it } from 'vitest'
import { ChannelLog } from './channel-log.js'
import type { LogEvent } from './event.js'

function filled(count: number, bytes = 10): ChannelLog {
  const log = new ChannelLog('c', 0)
  for (let seq = 1; seq <= count; seq++) {
    const event: LogEvent = { channel: 'c', cursor: `e-${seq * 2}`, data: seq }
    log.push(seq * 2, event, bytes)
  }
  return log
}

describe('ChannelLog', () => {
  it('finds the first event after a sequence and slices from there', () => {
    const log = filled(10)
    const from = log.indexAfter(7)
    expect(log.slice(from, 3, Number.MAX_SAFE_INTEGER).map((e) => e.data)).toEqual([4, 5, 6])
    expect(log.indexAfter(20)).toBe(log.endIndex())
  })

  it('cuts a slice once maxBytes is reached, never below one event', () => {
    const log = filled(10, 10)
    expect(log.slice(0, 100, 25).map((e) => e.data)).toEqual([1, 2, 3])
    expect(log.slice(0, 100, 30).map((e) => e.data)).toEqual([1, 2, 3])
    expect(log.slice(0, 100, 1).map((e) => e.data)).toEqual([1])
    expect(log.slice(5, 100, 20).map((e) => e.data)).toEqual([6, 7])
  })

  it('keeps sizes and lookups right across shifts and compaction', () => {
    const log = filled(5000, 4)
    for (let i = 0; i < 3000; i++) log.shift()
    expect(log.length).toBe(2000)
    expect(log.trimmedMax).toBe(6000)
    const from = log.indexAfter(6000)
    expect(log.eventAt(from).data).toBe(3001)
    expect(log.bytesAt(from)).toBe(4)
    expect(log.slice(from, 10, 8).map((e) => e.data)).toEqual([3001, 3002])
    for (let i = 0; i < 2000; i++) log.shift()
    expect(log.length).toBe(0)
    expect(log.lastSeq).toBe(10000)
  })

  it('matches a plain array through growth, wrap-around and shrinking, byte cuts included', () => {
    // A channel that fills to a few thousand events, runs at its limit for a long while, then drains: every slot of
    // its ring is reused many times and the ring grows and shrinks on the way.
    const log = new ChannelLog('c', 0)
    const model: { seq: number; bytes: number }[] = []
    let seq = 0
    let trimmedMax = 0
    const sizeOf = (s: number): number => 1 + ((s * 7919) % 97)
    const check = (): void => {
      expect(log.length).toBe(model.length)
      expect(log.lastSeq).toBe(model.at(-1)?.seq ?? trimmedMax)
      expect(log.trimmedMax).toBe(trimmedMax)
      for (const at of [0, 1, Math.floor(model.length / 2), model.length - 1]) {
        const after = at < model.length ? (model[at]?.seq ?? 0) - 1 : seq
        const from = log.indexAfter(after)
        const expected = model.filter((e) => e.seq > after)
        // A byte cut: the fewest events whose bytes reach maxBytes (at least one).
        const maxBytes = 150
        let cut = 0
        let bytes = 0
        while (cut < Math.min(expected.length, 40) && (cut === 0 || bytes < maxBytes)) bytes += expected[cut++]?.bytes ?? 0
        expect(log.slice(from, 40, maxBytes).map((e) => e.data)).toEqual(expected.slice(0, cut).map((e) => e.seq))
        if (expected[0]) expect(log.bytesAt(from)).toBe(expected[0].bytes)
      }
    }
    const push = (): void => {
      seq += 2
      log.push(seq, { channel: 'c', cursor: `e-${seq}`, data: seq }, sizeOf(seq))
      model.push({ seq, bytes: sizeOf(seq) })
    }
    const shift = (): void => {
      log.shift()
      trimmedMax = model.shift()?.seq ?? trimmedMax
    }
    for (let i = 0; i < 3000; i++) {
      push()
      if (i % 211 === 0) check()
    }
    for (let i = 0; i < 20_000; i++) {
      push()
      shift()
      if (i % 997 === 0) check()
    }
    while (model.length > 0) {
      shift()
      if (model.length % 293 === 0) check()
    }
    check()
    push()
    check()
  })
})
