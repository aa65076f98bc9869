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
})
