import { describe, expect, it } from 'vitest'
import { nowUs } from '../payload.js'
import { runLocalPublisher } from './local-publisher.js'

const MARKER = /^\{"m":"#(\d+)@(\d+)#"/

describe('the in-process publisher', () => {
  it('stamps each event with the time it was due, so a blocked loop counts as latency', async () => {
    const rate = 200
    const seen: { seq: number; stampUs: number; publishedUs: number }[] = []
    let blocked = false
    const run = await runLocalPublisher(
      (text) => {
        const match = MARKER.exec(text)
        if (!match) throw new Error(`no marker in ${text}`)
        seen.push({ seq: Number(match[1]), stampUs: Number(match[2]), publishedUs: nowUs() })
        // the server's loop busy for 60 ms right after the 10th event (a long flush, a GC pause)
        if (seen.length === 10 && !blocked) {
          blocked = true
          const until = performance.now() + 60
          while (performance.now() < until) {
            // busy: no timer can fire
          }
        }
      },
      { type: 'publish', rate, durationMs: 200, fromSeq: 1 },
    )
    expect(run.sent).toBe(40)
    expect(seen.map((s) => s.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const first = seen[0]?.stampUs ?? 0
    for (const [i, event] of seen.entries()) {
      // one event every 5 ms from the first, whenever the timer got to it, and never stamped in the future
      expect(Math.abs(event.stampUs - first - i * 5_000)).toBeLessThanOrEqual(1)
      expect(event.stampUs).toBeLessThanOrEqual(event.publishedUs)
    }
    // the events that fell due during the 60 ms block carry their due times: up to ~55 ms of latency before sending
    const lateMs = Math.max(...seen.map((s) => (s.publishedUs - s.stampUs) / 1000))
    expect(lateMs).toBeGreaterThan(45)
  })

  it('with sent stamps, stamps each event when its tick published it: the blocked loop does not count', async () => {
    const seen: { stampUs: number; publishedUs: number }[] = []
    let blocked = false
    await runLocalPublisher(
      (text) => {
        const match = MARKER.exec(text)
        if (!match) throw new Error(`no marker in ${text}`)
        seen.push({ stampUs: Number(match[2]), publishedUs: nowUs() })
        if (seen.length === 10 && !blocked) {
          blocked = true
          const until = performance.now() + 60
          while (performance.now() < until) {
            // busy: no timer can fire
          }
        }
      },
      { type: 'publish', rate: 200, durationMs: 200, fromSeq: 1, stamp: 'sent' },
    )
    expect(seen).toHaveLength(40)
    // Every event of the tick after the block carries that tick's time, not its due time: none is 45 ms late...
    const lateMs = Math.max(...seen.slice(11).map((s) => (s.publishedUs - s.stampUs) / 1000))
    expect(lateMs).toBeLessThan(45)
    // ...and the stamps never go back.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.stampUs).toBeGreaterThanOrEqual(seen[i - 1]!.stampUs)
  })
})
