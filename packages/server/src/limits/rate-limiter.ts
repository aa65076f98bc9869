import { type ErrorKind, tooMany } from '../errors.js'

/** A token bucket: `tokens` left as of `at` (ms). A holder may keep its own (a WebSocket's subscribe budget). */
export interface Bucket {
  tokens: number
  at: number
}

/**
 * Token buckets: `burst` tokens, refilled at `perSecond`. Buckets are kept per key (at most `maxKeys`, the least
 * recently used go first, so memory stays bounded whatever the clients do) or by their holder (`takeFrom`).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly perSecond: number,
    readonly burst: number,
    private readonly kind: ErrorKind,
    private readonly what: string,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** A full bucket for a holder that keeps its own. */
  bucket(): Bucket {
    return { tokens: this.burst, at: this.now() }
  }

  /** Takes one token for `key` or throws 429 with the seconds until one is available. */
  take(key: string): void {
    let bucket = this.buckets.get(key)
    if (bucket) {
      // Re-insert so that Map order is least-recently-used first.
      this.buckets.delete(key)
    } else {
      bucket = this.bucket()
    }
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) this.evict()
    this.takeFrom(bucket)
  }

  /** Takes one token from a bucket its holder keeps, or throws like `take`. */
  takeFrom(bucket: Bucket): void {
    const now = this.now()
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond)
    bucket.at = now
    if (bucket.tokens < 1) {
      throw tooMany(
        this.kind,
        `too many ${this.what}: at most ${this.perSecond} per second`,
        (1 - bucket.tokens) / this.perSecond,
      )
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
