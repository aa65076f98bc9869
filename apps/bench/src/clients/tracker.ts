import { nowUs } from '../payload.js'
import { LatencyHistogram } from '../stats/histogram.js'

/**
 * Latency and loss accounting in a load worker. Every payload carries a marker `#<seq>@<sentUs>#` (see payload.ts)
 * that survives every peer's encoding unescaped, so one scanner reads events out of any transport's de-framed bytes
 * with `indexOf` and a few digit loops, without parsing JSON.
 *
 * Every subscription checks every sequence number (loss, repeats, order); one in `LATENCY_EVERY` also times every
 * event it gets. The others skip the send time, which is most of a marker's digits: the load client must stay
 * cheaper per delivery than the servers it measures. The sampled subscriptions are spread over the connection
 * order, so they see early and late sockets of every fan-out alike.
 */
export const LATENCY_EVERY = 8
/** Digits of a send time in µs since 1970 (until the year 2286). */
const SENT_DIGITS = 16
const HASH = 0x23
const AT = 0x40

export class Subscription {
  /** Highest sequence received. */
  last = 0
  connected = false
  private readonly timed: boolean
  private state = 0
  private seq = 0
  private sent = 0

  constructor(readonly tracker: Tracker) {
    this.timed = tracker.subs.length % LATENCY_EVERY === 0
  }

  /** Scans `buf[start..end)` for markers; markers split across calls are carried over. */
  scan(buf: Buffer, start: number, end: number): void {
    let now = 0
    let pos = start
    // Bounded: `pos` only moves forward.
    while (pos < end) {
      if (this.state === 0) {
        const hash = buf.indexOf(HASH, pos)
        if (hash < 0 || hash >= end) return
        pos = hash + 1
        this.state = 1
        this.seq = 0
        continue
      }
      const c = buf[pos]!
      pos++
      if (c >= 0x30 && c <= 0x39) {
        if (this.state === 1) this.seq = this.seq * 10 + (c - 0x30)
        else this.sent = this.sent * 10 + (c - 0x30)
      } else if (c === AT && this.state === 1) {
        if (!this.timed && pos + SENT_DIGITS < end && buf[pos + SENT_DIGITS] === HASH) {
          // An untimed subscription skips the send time's digits whole (a split marker takes the digit loop).
          pos += SENT_DIGITS + 1
          this.state = 0
          this.tracker.record(this, this.seq)
          continue
        }
        this.state = 2
        this.sent = 0
      } else if (c === HASH && this.state === 2) {
        this.state = 0
        if (!this.timed) this.tracker.record(this, this.seq)
        else {
          if (now === 0) now = nowUs()
          this.tracker.record(this, this.seq, now - this.sent)
        }
      } else {
        // Not a marker after all: a `#` is the only byte that can start one.
        this.state = c === HASH ? 1 : 0
        this.seq = 0
      }
    }
  }
}

export interface StepStats {
  readonly received: number
  /** `gaps` plus the events still missing when the drain ended. */
  readonly lost: number
  /** Events a subscription skipped (a later sequence came first): gone for good, not late. */
  readonly gaps: number
  readonly duplicates: number
  readonly disconnected: number
  /** Reconnections that resumed from a cursor since the last collect. */
  readonly resumed: number
  /** Latency histogram (fixed buckets, see stats/histogram.ts). */
  readonly histogram: { readonly pairs: readonly number[]; readonly maxUs: number }
}

export class Tracker {
  readonly subs: Subscription[] = []
  private histogram = new LatencyHistogram()
  private received = 0
  private gaps = 0
  private duplicates = 0
  resumed = 0

  /** One event of `sub`; `latencyUs` only from a timed subscription. */
  record(sub: Subscription, seq: number, latencyUs?: number): void {
    if (seq <= sub.last) {
      this.duplicates++
      return
    }
    if (seq > sub.last + 1) this.gaps += seq - sub.last - 1
    sub.last = seq
    this.received++
    if (latencyUs !== undefined) this.histogram.record(latencyUs)
  }

  /** True once every connected subscription has seen `lastSeq`. */
  caughtUp(lastSeq: number): boolean {
    for (const sub of this.subs) if (sub.connected && sub.last < lastSeq) return false
    return true
  }

  /** The figures since the previous collect; subscriptions behind `lastSeq` count what they miss as lost. */
  collect(lastSeq: number): StepStats {
    let behind = 0
    let disconnected = 0
    for (const sub of this.subs) {
      if (!sub.connected) disconnected++
      if (sub.last < lastSeq) {
        behind += lastSeq - sub.last
        // Counted once: the next step starts from here.
        sub.last = lastSeq
      }
    }
    const stats: StepStats = {
      received: this.received,
      lost: this.gaps + behind,
      gaps: this.gaps,
      duplicates: this.duplicates,
      disconnected,
      resumed: this.resumed,
      histogram: this.histogram.toJSON(),
    }
    this.histogram = new LatencyHistogram()
    this.received = 0
    this.gaps = 0
    this.duplicates = 0
    this.resumed = 0
    return stats
  }
}
