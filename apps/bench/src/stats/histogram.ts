/**
 * A fixed-bucket latency histogram (µs in, ms out): one array increment per sample, no allocation, so the load
 * clients spend their CPU reading sockets rather than recording. Buckets are 10 µs wide up to 1 ms, 100 µs up to
 * 100 ms (the pass line), 10 ms up to 10 s, then one overflow bucket; a percentile is the upper edge of its bucket,
 * so a reported p99 is never below the true one by more than a bucket.
 */
const FINE = 100 // 0..1 ms, 10 µs each
const MID = 990 // 1..100 ms, 100 µs each
const COARSE = 990 // 100 ms..10 s, 10 ms each
export const BUCKETS = FINE + MID + COARSE + 1

export function bucketOf(us: number): number {
  if (us < 1_000) return us < 0 ? 0 : Math.floor(us / 10)
  if (us < 100_000) return FINE + Math.floor((us - 1_000) / 100)
  if (us < 10_000_000) return FINE + MID + Math.floor((us - 100_000) / 10_000)
  return BUCKETS - 1
}

/** The upper edge of a bucket, µs (the overflow bucket reports 10 s). */
export function upperUs(bucket: number): number {
  if (bucket < FINE) return (bucket + 1) * 10
  if (bucket < FINE + MID) return 1_000 + (bucket - FINE + 1) * 100
  if (bucket < FINE + MID + COARSE) return 100_000 + (bucket - FINE - MID + 1) * 10_000
  return 10_000_000
}

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS)
  total = 0
  maxUs = 0

  record(us: number): void {
    this.counts[bucketOf(us)]!++
    this.total++
    if (us > this.maxUs) this.maxUs = us
  }

  /** A compact form for IPC: [bucket, count] pairs of the non-empty buckets, and the max. */
  toJSON(): { pairs: number[]; maxUs: number } {
    const pairs: number[] = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] !== 0) pairs.push(i, this.counts[i]!)
    return { pairs, maxUs: this.maxUs }
  }

  add(serialized: { readonly pairs: readonly number[]; readonly maxUs: number }): void {
    for (let i = 0; i + 1 < serialized.pairs.length; i += 2) {
      const bucket = serialized.pairs[i]!
      const count = serialized.pairs[i + 1]!
      if (bucket >= 0 && bucket < BUCKETS) {
        this.counts[bucket]! += count
        this.total += count
      }
    }
    if (serialized.maxUs > this.maxUs) this.maxUs = serialized.maxUs
  }

  /** The latency at percentile `p` (0..100), ms; 0 when empty. */
  percentileMs(p: number): number {
    if (this.total === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.total))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(upperUs(i), Math.max(this.maxUs, 1)) / 1000
    }
    return this.maxUs / 1000
  }
}
