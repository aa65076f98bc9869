import type { LogEvent } from './event.js'

/**
 * The retained events of one channel as parallel arrays (sequence, event, cumulative bytes) with a moving start,
 * so that finding a cursor is a binary search and a catch-up read of one channel is a single `slice`.
 */
export class ChannelLog {
  private seqs: number[] = []
  private events: LogEvent[] = []
  /** cumBytes[i] = bytes of events[0..i], so the bytes of any range are one subtraction. */
  private cumBytes: number[] = []
  private start = 0
  /** Highest sequence dropped by retention on this channel: a reader before it has lost events. */
  trimmedMax: number

  constructor(
    readonly name: string,
    trimmedMax: number,
  ) {
    this.trimmedMax = trimmedMax
  }

  get length(): number {
    return this.seqs.length - this.start
  }

  get lastSeq(): number {
    return this.seqs.length > this.start ? (this.seqs[this.seqs.length - 1] ?? this.trimmedMax) : this.trimmedMax
  }

  push(seq: number, event: LogEvent, bytes: number): void {
    const before = this.cumBytes.length > 0 ? (this.cumBytes[this.cumBytes.length - 1] ?? 0) : 0
    this.seqs.push(seq)
    this.events.push(event)
    this.cumBytes.push(before + bytes)
  }

  /** Drops the oldest event (its sequence becomes `trimmedMax`). */
  shift(): void {
    this.trimmedMax = this.seqs[this.start] ?? this.trimmedMax
    this.start++
    if (this.start === this.seqs.length) {
      this.seqs = []
      this.events = []
      this.cumBytes = []
      this.start = 0
    } else if (this.start >= 1024 && this.start * 2 >= this.seqs.length) {
      this.seqs = this.seqs.slice(this.start)
      this.events = this.events.slice(this.start)
      const dropped = this.cumBytes[this.start - 1] ?? 0
      this.cumBytes = this.cumBytes.slice(this.start).map((b) => b - dropped)
      this.start = 0
    }
  }

  /** Absolute index of the first event after `seq`. */
  indexAfter(seq: number): number {
    let lo = this.start
    let hi = this.seqs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.seqs[mid] ?? seq) <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  endIndex(): number {
    return this.seqs.length
  }

  seqAt(index: number): number {
    return this.seqs[index] ?? Number.POSITIVE_INFINITY
  }

  eventAt(index: number): LogEvent {
    const event = this.events[index]
    // Callers stay within [indexAfter, endIndex): anything else is a bug here, not a caller's input.
    if (event === undefined) throw new RangeError(`no event at index ${index}`)
    return event
  }

  bytesAt(index: number): number {
    return (this.cumBytes[index] ?? 0) - (index > 0 ? (this.cumBytes[index - 1] ?? 0) : 0)
  }

  /** Up to `limit` events from absolute index `from`, cut once `maxBytes` is reached (always at least one). */
  slice(from: number, limit: number, maxBytes: number): LogEvent[] {
    let to = Math.min(this.seqs.length, from + limit)
    const base = from > 0 ? (this.cumBytes[from - 1] ?? 0) : 0
    if (to > from && (this.cumBytes[to - 1] ?? 0) - base > maxBytes) {
      // Smallest `to` whose range reaches maxBytes: binary search on the cumulative sizes.
      let lo = from + 1
      let hi = to
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((this.cumBytes[mid - 1] ?? 0) - base >= maxBytes) hi = mid
        else lo = mid + 1
      }
      to = lo
    }
    return this.events.slice(from, to)
  }
}
