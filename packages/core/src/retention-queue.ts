/**
 * The log's retained events in append order, as parallel arrays (owner, bytes, time) with a moving start: no object
 * per event, which keeps the garbage collector's work on the append path small.
 */
export class RetentionQueue<Owner> {
  private owners: Owner[] = []
  private sizes: number[] = []
  private times: number[] = []
  private start = 0

  get length(): number {
    return this.owners.length - this.start
  }

  push(owner: Owner, bytes: number, at: number): void {
    this.owners.push(owner)
    this.sizes.push(bytes)
    this.times.push(at)
  }

  oldestOwner(): Owner | undefined {
    return this.start < this.owners.length ? this.owners[this.start] : undefined
  }

  oldestBytes(): number {
    return this.sizes[this.start] ?? 0
  }

  oldestTime(): number {
    return this.times[this.start] ?? Number.POSITIVE_INFINITY
  }

  shift(): void {
    this.start++
    if (this.start >= this.owners.length) {
      this.owners = []
      this.sizes = []
      this.times = []
      this.start = 0
    } else if (this.start >= 1024 && this.start * 2 >= this.owners.length) {
      this.owners = this.owners.slice(this.start)
      this.sizes = this.sizes.slice(this.start)
      this.times = this.times.slice(this.start)
      this.start = 0
    }
  }
}
