import { describe, expect, it } from 'vitest'
import { payload } from '../payload.js'
import { Subscription, Tracker } from './tracker.js'

const SENT = 1_764_000_000_000_000

/** Events 1..count as one transport would frame them, noise with stray `#`s in between. */
function stream(count: number): Buffer {
  const parts: string[] = []
  for (let seq = 1; seq <= count; seq++) parts.push(`data: {"id":"#x${seq}","data":${payload(seq, SENT)}}\n\n`)
  return Buffer.from(parts.join(''))
}

describe('Subscription.scan', () => {
  it('reads every marker whole and split at every byte, timed and untimed alike', () => {
    const bytes = stream(5)
    for (let cut = 0; cut <= bytes.length; cut++) {
      const tracker = new Tracker()
      // The first subscription is timed, the second not (one in LATENCY_EVERY is).
      const subs = [0, 1].map(() => {
        const sub = new Subscription(tracker)
        tracker.subs.push(sub)
        return sub
      })
      for (const sub of subs) {
        sub.scan(bytes, 0, cut)
        sub.scan(bytes, cut, bytes.length)
        expect(sub.last).toBe(5)
      }
      const stats = tracker.collect(5)
      expect(stats.received).toBe(10)
      expect(stats.lost).toBe(0)
      expect(stats.duplicates).toBe(0)
      // Only the timed subscription's five events are in the histogram.
      expect(stats.histogram.pairs.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(5)
    }
  })

  it('counts gaps and repeats', () => {
    const tracker = new Tracker()
    const sub = new Subscription(tracker)
    tracker.subs.push(sub)
    const at = (seq: number): Buffer => Buffer.from(payload(seq, SENT))
    for (const seq of [1, 2, 2, 5]) {
      const b = at(seq)
      sub.scan(b, 0, b.length)
    }
    const stats = tracker.collect(6)
    expect(stats.received).toBe(3)
    expect(stats.duplicates).toBe(1)
    // 3 and 4 skipped (gone for good), 6 never came (late, or lost).
    expect(stats.gaps).toBe(2)
    expect(stats.lost).toBe(3)
  })
})
