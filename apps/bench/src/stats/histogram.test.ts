import { describe, expect, it } from 'vitest'
import { BUCKETS, bucketOf, LatencyHistogram, upperUs } from './histogram.js'

describe('LatencyHistogram', () => {
  it('puts every latency in a bucket whose upper edge is at or above it', () => {
    for (const us of [0, 9, 10, 999, 1_000, 1_099, 54_321, 99_999, 100_000, 123_456, 9_999_999]) {
      const bucket = bucketOf(us)
      expect(bucket).toBeGreaterThanOrEqual(0)
      expect(bucket).toBeLessThan(BUCKETS)
      expect(upperUs(bucket)).toBeGreaterThan(us)
      if (bucket > 0) expect(upperUs(bucket - 1)).toBeLessThanOrEqual(us)
    }
    expect(bucketOf(60_000_000)).toBe(BUCKETS - 1)
  })

  it('reports percentiles within a bucket, merged across workers', () => {
    const a = new LatencyHistogram()
    const b = new LatencyHistogram()
    for (let i = 1; i <= 980; i++) a.record(5_000)
    for (let i = 1; i <= 20; i++) b.record(150_000)
    const merged = new LatencyHistogram()
    merged.add(a.toJSON())
    merged.add(b.toJSON())
    expect(merged.total).toBe(1000)
    expect(merged.percentileMs(50)).toBeCloseTo(5.1, 5)
    expect(merged.percentileMs(98)).toBeCloseTo(5.1, 5)
    expect(merged.percentileMs(99)).toBe(150)
    expect(merged.maxUs).toBe(150_000)
  })
})
