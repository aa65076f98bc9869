/**
 * A queue of records (a value and two numbers each) in a ring, addressed by index: `first` is the oldest record's,
 * `end` one past the newest's. Indices hold until the next `push` or `shift` (a resize renumbers from 0).
 *
 * Why a ring: a log that keeps its last N events appends and drops one at a time for ever. Arrays with a moving
 * start had to be cut down (`slice`) and then grew back through V8's reallocations, every N events (for the default
 * 100,000, about 24 MB of large arrays per 100,000 appends by V8's growth rule). A ring grows while the queue grows
 * and is then reused as it is; the numbers sit in a Float64Array, which the collector does not scan. Measured with
 * `pnpm bench --log`: 493 -> 459 bytes of heap per retained event, and a catch-up read no slower.
 */
const MIN_CAPACITY = 8
/** Indices are rebased below this, so that `index & mask` stays within 32-bit integers. */
const REBASE_AT = 2 ** 30

export class Ring<T> {
  private items: (T | undefined)[]
  private nums: Float64Array
  private mask: number
  first = 0
  end = 0

  constructor() {
    this.items = new Array<T | undefined>(MIN_CAPACITY)
    this.nums = new Float64Array(MIN_CAPACITY * 2)
    this.mask = MIN_CAPACITY - 1
  }

  get length(): number {
    return this.end - this.first
  }

  push(item: T, a: number, b: number): void {
    if (this.end - this.first > this.mask) this.resize((this.mask + 1) * 2)
    const slot = this.end & this.mask
    this.items[slot] = item
    this.nums[slot * 2] = a
    this.nums[slot * 2 + 1] = b
    this.end++
  }

  /** Drops the oldest record (nothing when empty). */
  shift(): void {
    if (this.end === this.first) return
    this.items[this.first & this.mask] = undefined
    this.first++
    const capacity = this.mask + 1
    if (this.first === this.end) {
      // Empty: back to the smallest ring, as a channel that went quiet should not keep its peak.
      if (capacity > MIN_CAPACITY) this.resize(MIN_CAPACITY)
      this.first = 0
      this.end = 0
    } else if (capacity > 1024 && (this.end - this.first) * 8 <= capacity) {
      this.resize(capacity / 2)
    } else if (this.first >= REBASE_AT) {
      // A multiple of the capacity: every record keeps its slot.
      const by = this.first - (this.first & this.mask)
      this.first -= by
      this.end -= by
    }
  }

  /** The value at `index`, or undefined outside [first, end). */
  item(index: number): T | undefined {
    return index >= this.first && index < this.end ? this.items[index & this.mask] : undefined
  }

  /** The values at [from, to), a range within [first, end), in order: at most two slices of the ring's array. */
  values(from: number, to: number): T[] {
    const count = Math.max(0, to - from)
    const start = from & this.mask
    const capacity = this.mask + 1
    // Every slot in [first, end) holds a value (only shifted-out slots are cleared), so the range has no undefined.
    const items = this.items as T[]
    if (start + count <= capacity) return items.slice(start, start + count)
    return items.slice(start).concat(items.slice(0, start + count - capacity))
  }

  /** The first number at `index`, or `fallback` outside [first, end). */
  a(index: number, fallback: number): number {
    return index >= this.first && index < this.end ? (this.nums[(index & this.mask) * 2] ?? fallback) : fallback
  }

  /** The second number at `index`, or `fallback` outside [first, end). */
  b(index: number, fallback: number): number {
    return index >= this.first && index < this.end ? (this.nums[(index & this.mask) * 2 + 1] ?? fallback) : fallback
  }

  /** Copies the live records into a ring of `capacity` (a power of two that holds them), indices from 0. */
  private resize(capacity: number): void {
    const items = new Array<T | undefined>(capacity)
    const nums = new Float64Array(capacity * 2)
    const count = this.end - this.first
    for (let i = 0; i < count; i++) {
      const from = (this.first + i) & this.mask
      items[i] = this.items[from]
      nums[i * 2] = this.nums[from * 2] ?? 0
      nums[i * 2 + 1] = this.nums[from * 2 + 1] ?? 0
    }
    this.items = items
    this.nums = nums
    this.mask = capacity - 1
    this.first = 0
    this.end = count
  }
}
