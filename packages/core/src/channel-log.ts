import type { LogEvent } from './event.js'
import { Ring } from './ring.js'

/**
 * The retained events of one channel, each with its sequence and the cumulative bytes up to it, in a ring
 * (ring.ts): finding a cursor is a binary search, and the bytes of any range one subtraction. Indices are the
 * ring's: valid until the next `push` or `shift`, so a read takes them and uses them within one call.
 */
export class ChannelLog {
  /** Records: the event, its sequence, the bytes of every retained-or-dropped event up to and with it. */
  private readonly ring = new Ring<LogEvent>()
  /** The cumulative bytes before the oldest retained event. */
  private bytesBefore = 0
  /** Highest sequence dropped by retention on this channel: a reader before it has lost events. */
  trimmedMax: number

  constructor(
    readonly name: string,
    trimmedMax: number,
  ) {
    this.trimmedMax = trimmedMax
  }

  get length(): number {
    return this.ring.length
  }

  get lastSeq(): number {
    return this.ring.a(this.ring.end - 1, this.trimmedMax)
  }

  push(seq: number, event: LogEvent, bytes: number): void {
    this.ring.push(event, seq, this.cumulative(this.ring.end - 1) + bytes)
  }

  /** Drops the oldest event (its sequence becomes `trimmedMax`). */
  shift(): void {
    const first = this.ring.first
    if (first === this.ring.end) return
    this.trimmedMax = this.ring.a(first, this.trimmedMax)
    this.bytesBefore = this.ring.b(first, this.bytesBefore)
    this.ring.shift()
    // Cumulative sizes only ever grow; restart them when nothing is left to subtract from.
    if (this.ring.length === 0) this.bytesBefore = 0
  }

  /** Index of the first event after `seq`. */
  indexAfter(seq: number): number {
    let lo = this.ring.first
    let hi = this.ring.end
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ring.a(mid, seq) <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  endIndex(): number {
    return this.ring.end
  }

  seqAt(index: number): number {
    return this.ring.a(index, Number.POSITIVE_INFINITY)
  }

  eventAt(index: number): LogEvent {
    const event = this.ring.item(index)
    // Callers stay within [indexAfter, endIndex): anything else is a bug here, not a caller's input.
    if (event === undefined) throw new RangeError(`no event at index ${index}`)
    return event
  }

  bytesAt(index: number): number {
    return this.cumulative(index) - this.cumulative(index - 1)
  }

  /** Up to `limit` events from index `from`, cut once `maxBytes` is reached (always at least one). */
  slice(from: number, limit: number, maxBytes: number): LogEvent[] {
    let to = Math.min(this.ring.end, from + limit)
    const base = this.cumulative(from - 1)
    if (to > from && this.cumulative(to - 1) - base > maxBytes) {
      // Smallest `to` whose range reaches maxBytes: binary search on the cumulative sizes.
      let lo = from + 1
      let hi = to
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (this.cumulative(mid - 1) - base >= maxBytes) hi = mid
        else lo = mid + 1
      }
      to = lo
    }
    return this.ring.values(from, to)
  }

  /** Cumulative bytes up to and with `index`; before the oldest retained event, what was dropped. */
  private cumulative(index: number): number {
    return index < this.ring.first ? this.bytesBefore : this.ring.b(index, this.bytesBefore)
  }
}
