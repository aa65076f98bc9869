/**
 * An append-at-the-back, drop-from-the-front array of items ordered by a numeric key. Lookups by key are binary
 * searches (O(log n)); dropping from the front is O(1) amortized (the array is compacted once half of it is dead).
 */
export class SeqDeque<T> {
  private items: T[] = []
  private start = 0

  constructor(private readonly keyOf: (item: T) => number) {}

  get length(): number {
    return this.items.length - this.start
  }

  first(): T | undefined {
    return this.items[this.start]
  }

  last(): T | undefined {
    return this.items.length > this.start ? this.items[this.items.length - 1] : undefined
  }

  at(index: number): T | undefined {
    return this.items[this.start + index]
  }

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    if (this.start >= this.items.length) return undefined
    const item = this.items[this.start]
    this.start++
    if (this.start === this.items.length) {
      this.items = []
      this.start = 0
    } else if (this.start >= 1024 && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start)
      this.start = 0
    }
    return item
  }

  /** Index (relative to the front) of the first item whose key is greater than `key`; `length` if none. */
  indexAfter(key: number): number {
    let lo = this.start
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keyOf(this.items[mid]!) <= key) lo = mid + 1
      else hi = mid
    }
    return lo - this.start
  }
}
