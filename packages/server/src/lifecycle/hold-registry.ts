/** A held long-poll as the registry sees it. */
export interface HeldPoll {
  /** Resolves once the hold has answered or gone back to waiting after what woke it. */
  settled(): Promise<void>
}

/**
 * Held long-polls by channel. A publish asks `settled(channel)` after its append and answers only once every poll
 * held on that channel has answered (or found nothing and waits on): its subscribers are not queued behind the
 * publisher's answer, by construction rather than by counting promise steps.
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
    return Promise.all(Array.from(set, (hold) => hold.settled())).then(() => undefined)
  }
}
