import type { EventLog, LongpollFormat } from '@pushline/core'
import type { HoldRegistry } from '../lifecycle/hold-registry.js'
import { PollGroup, type ReadLimits } from './poll-group.js'

/** A channel set no poll has asked about for this long stops listening to the log. */
const IDLE_GROUP_MS = 10_000

/**
 * The PollGroup of every channel set polled lately, keyed by the channel list as the poll gives it (order included)
 * and the answer format.
 */
export class PollGroups {
  private readonly groups = new Map<string, PollGroup>()
  private lastSweep = Date.now()

  constructor(
    private readonly log: EventLog,
    private readonly limits: ReadLimits,
    private readonly holds: HoldRegistry,
  ) {}

  of(channels: readonly string[], format: LongpollFormat | undefined): PollGroup {
    const names = channels.length === 1 ? (channels[0] ?? '') : channels.join('\n')
    const key = format ? `${format}\0${names}` : names
    const now = Date.now()
    if (now - this.lastSweep > IDLE_GROUP_MS) this.sweep(now)
    let group = this.groups.get(key)
    if (!group) {
      group = new PollGroup(this.log, channels, this.limits, this.holds, format)
      this.groups.set(key, group)
    }
    group.usedAt = now
    return group
  }

  /** Stops listening to the log (the plugin is closing). */
  close(): void {
    for (const group of this.groups.values()) group.close()
    this.groups.clear()
  }

  private sweep(now: number): void {
    this.lastSweep = now
    for (const [key, group] of this.groups) {
      if (group.size === 0 && now - group.usedAt > IDLE_GROUP_MS) {
        group.close()
        this.groups.delete(key)
      }
    }
  }
}
