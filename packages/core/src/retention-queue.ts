import { Ring } from './ring.js'

/**
 * The log's retained events in append order: the owner, bytes and time of each, in a ring (ring.ts) with no object
 * per event, which keeps the garbage collector's work on the append path small.
 */
export class RetentionQueue<Owner> {
  private readonly ring = new Ring<Owner>()

  get length(): number {
    return this.ring.length
  }

  push(owner: Owner, bytes: number, at: number): void {
    this.ring.push(owner, bytes, at)
  }

  oldestOwner(): Owner | undefined {
    return this.ring.item(this.ring.first)
  }

  oldestBytes(): number {
    return this.ring.a(this.ring.first, 0)
  }

  oldestTime(): number {
    return this.ring.b(this.ring.first, Number.POSITIVE_INFINITY)
  }

  shift(): void {
    this.ring.shift()
  }
}
