/** A held long-poll as the registry sees it. */
export interface HeldPoll {
  /** The publishes waiting for this hold's next round; set by the registry only. */
  barriers: Barrier | Barrier[] | undefined
}

/** One publish waiting for the holds it woke: a count and one promise, shared by all of them. */
class Barrier {
  remaining = 0
  private resolve: (() => void) | undefined
  readonly promise: Promise<void>

  constructor() {
    this.promise = new Promise<void>((resolve) => {
      this.resolve = resolve
    })
  }

  done(): void {
    if (--this.remaining === 0) this.resolve?.()
  }
}

/**
 * Held long-polls by channel. A publish asks `settled(channel)` after its append and answers only once every poll
 * held on that channel has answered (or found nothing and waits on): its subscribers are not queued behind the
 * publisher's answer, by construction rather than by counting promise steps. One barrier per publish, a field per
 * hold: nothing per hold and publish is allocated on the fan-out path.
 */
export class HoldRegistry {
  private readonly byChannel = new Map<string, Set<HeldPoll>>()

  add(hold: HeldPoll, channels: readonly string[]): void {
    for (const channel of channels) {
      let set = this.byChannel.get(channel)
      if (!set) {
        set = new Set()
        this.byChannel.set(channel, set)
      }
      set.add(hold)
    }
  }

  delete(hold: HeldPoll, channels: readonly string[]): void {
    for (const channel of channels) {
      const set = this.byChannel.get(channel)
      if (!set) continue
      set.delete(hold)
      if (set.size === 0) this.byChannel.delete(channel)
    }
  }

  /** Undefined when no poll is held on `channel` (the common case: nothing to wait for, no promise). */
  settled(channel: string): Promise<void> | undefined {
    const set = this.byChannel.get(channel)
    if (!set) return undefined
    const barrier = new Barrier()
    for (const hold of set) {
      barrier.remaining++
      const joined = hold.barriers
      if (joined === undefined) hold.barriers = barrier
      else if (Array.isArray(joined)) joined.push(barrier)
      else hold.barriers = [joined, barrier]
    }
    return barrier.remaining > 0 ? barrier.promise : undefined
  }

  /** `hold` finished a round (answered, waits on, or left): the publishes waiting for it may go on. */
  static round(hold: HeldPoll): void {
    const joined = hold.barriers
    if (joined === undefined) return
    hold.barriers = undefined
    if (Array.isArray(joined)) for (const barrier of joined) barrier.done()
    else joined.done()
  }
}
