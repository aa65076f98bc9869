import { tooMany } from '../errors.js'

interface Bucket {
  tokens: number
  at: number
}

/**
 * Token buckets per key: `burst` tokens, refilled at `perSecond`. At most `maxKeys` buckets are kept (the least
 * recently used go first), so memory stays bounded whatever the clients do.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly code: string,
    private readonly what: string,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token for `key` or throws 429 with the seconds until one is available. */
  take(key: string): void {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond)
      bucket.at = now
      // Re-insert so that Map order is least-recently-used first.
      this.buckets.delete(key)
    } else {
      bucket = { tokens: this.burst, at: now }
    }
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) this.evict()
    if (bucket.tokens < 1) {
      throw tooMany(this.code, `too many ${this.what}: at most ${this.perSecond} per second`, (1 - bucket.tokens) / this.perSecond)
    }
    bucket.tokens -= 1
  }

  /** Drops the least recently used buckets (forgetting one only refills it early). */
  private evict(): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) return
      this.buckets.delete(key)
    }
  }

  get size(): number {
    return this.buckets.size
  }
}
