import { formatCursor, newEpoch, parseCursor } from './cursor.js'
import { CoreErrors } from './error-codes.js'
import type { LogEvent, ReadResult, Reset } from './event.js'
import { createEvent } from './frames/event-json.js'
import type { EventLog, LogListener, ReadOptions } from './log.js'
import { ChannelLog } from './channel-log.js'
import { RetentionQueue } from './retention-queue.js'
import { assertChannelName, DEFAULT_MAX_PAYLOAD_BYTES, serializePayload } from './validation.js'
import { WaiterRegistry } from './waiters.js'

export interface MemoryLogOptions {
  /** Events retained across all channels (default 100,000). */
  readonly maxCount?: number
  /** Serialized bytes retained across all channels (default 64 MiB). */
  readonly maxBytes?: number
  /** Age after which events are dropped (default 1 hour). */
  readonly maxAgeMs?: number
  /** Largest event data accepted, serialized (default 64 KiB). */
  readonly maxPayloadBytes?: number
  /** Fixed epoch (tests); by default every instance starts a new history. */
  readonly epoch?: string
  /** Clock, for tests of age retention. */
  readonly now?: () => number
}

// Channels whose every event was dropped are remembered (bounded) so that their readers get exact resets.
const MAX_REMEMBERED_GONE_CHANNELS = 100_000
const DEFAULT_READ_LIMIT = 1000
const DEFAULT_READ_MAX_BYTES = 1024 * 1024

/**
 * The embedded, default EventLog. Each channel keeps its own arrays, so a read after a cursor is a binary search
 * per channel plus a slice (one channel) or a merge by sequence (several); an append touches only its channel's
 * waiters and listeners. Memory is proportional to what is retained, waiting and listening.
 */
export class MemoryLog implements EventLog {
  readonly epoch: string
  private readonly maxCount: number
  private readonly maxBytes: number
  private readonly maxAgeMs: number
  private readonly maxPayloadBytes: number
  private readonly now: () => number
  private readonly all = new RetentionQueue<ChannelLog>()
  private readonly channels = new Map<string, ChannelLog>()
  private readonly goneChannels = new Map<string, number>()
  private goneEvictedMax = 0
  private readonly listeners = new Map<string, Set<LogListener>>()
  private readonly waiters = new WaiterRegistry()
  private lastSeq = 0
  private retainedBytes = 0
  private closed = false

  constructor(options: MemoryLogOptions = {}) {
    this.epoch = options.epoch ?? newEpoch()
    this.maxCount = positive(options.maxCount, 100_000, 'maxCount')
    this.maxBytes = positive(options.maxBytes, 64 * 1024 * 1024, 'maxBytes')
    this.maxAgeMs = positive(options.maxAgeMs, 60 * 60 * 1000, 'maxAgeMs')
    this.maxPayloadBytes = positive(options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 'maxPayloadBytes')
    this.now = options.now ?? Date.now
    parseCursor(formatCursor(this.epoch, 0))
  }

  async append(channel: string, data: unknown): Promise<LogEvent> {
    this.assertOpen()
    let state = this.channels.get(channel)
    // A channel with retained events was validated when it got its first one.
    if (!state) assertChannelName(channel)
    const dataJson = serializePayload(data, this.maxPayloadBytes)
    if (!state) {
      state = new ChannelLog(channel, this.goneChannels.get(channel) ?? 0)
      this.goneChannels.delete(channel)
      this.channels.set(channel, state)
    }
    const seq = ++this.lastSeq
    const event = createEvent(channel, formatCursor(this.epoch, seq), data, dataJson)
    const bytes = dataJson.length + channel.length + 48
    state.push(seq, event, bytes)
    this.all.push(state, bytes, this.now())
    this.retainedBytes += bytes
    this.trim()
    this.waiters.wake(channel)
    const listeners = this.listeners.get(channel)
    if (listeners) for (const listener of listeners) listener.onEvent(event)
    return event
  }

  async head(): Promise<string> {
    this.assertOpen()
    return this.headCursor()
  }

  async read(channels: readonly string[], after: string, options: ReadOptions = {}): Promise<ReadResult> {
    this.assertOpen()
    for (const channel of channels) assertChannelName(channel)
    const afterSeq = this.positionOf(after)
    this.trim()
    const reset = this.resetFor(channels, afterSeq)
    if (reset) return reset
    const limit = Math.max(1, options.limit ?? DEFAULT_READ_LIMIT)
    const maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_READ_MAX_BYTES)
    const sources: Source[] = []
    for (const channel of channels.length > 1 ? new Set(channels) : channels) {
      const log = this.channels.get(channel)
      if (!log) continue
      const index = log.indexAfter(afterSeq)
      if (index < log.endIndex()) sources.push({ log, index, end: log.endIndex() })
    }
    const only = sources.length === 1 ? sources[0] : undefined
    if (only) {
      // One channel (the common case): a slice of its array.
      const events = only.log.slice(only.index, limit, maxBytes)
      const more = only.index + events.length < only.end
      return { type: 'events', events, cursor: more ? lastCursor(events) : this.headCursor(), more }
    }
    const events: LogEvent[] = []
    let bytes = 0
    while (sources.length > 0 && events.length < limit && (events.length === 0 || bytes < maxBytes)) {
      // Merge by sequence; subscriptions name few channels, so a linear pick of the smallest head is cheapest.
      let pick = 0
      for (let i = 1; i < sources.length; i++) if (headSeq(sources[i]) < headSeq(sources[pick])) pick = i
      const source = sources[pick]
      if (!source) break
      events.push(source.log.eventAt(source.index))
      bytes += source.log.bytesAt(source.index)
      source.index++
      if (source.index >= source.end) sources.splice(pick, 1)
    }
    const more = sources.length > 0
    return { type: 'events', events, cursor: more ? lastCursor(events) : this.headCursor(), more }
  }

  async wait(channels: readonly string[], after: string, signal?: AbortSignal): Promise<void> {
    this.assertOpen()
    for (const channel of channels) assertChannelName(channel)
    const afterSeq = this.positionOf(after)
    if (this.resetFor(channels, afterSeq)) return
    for (const channel of channels) {
      const log = this.channels.get(channel)
      if (log && log.lastSeq > afterSeq) return
    }
    return this.waiters.wait(channels, signal)
  }

  listen(channels: readonly string[], listener: LogListener): () => void {
    this.assertOpen()
    const names = [...new Set(channels.map(assertChannelName))]
    for (const channel of names) {
      let set = this.listeners.get(channel)
      if (!set) {
        set = new Set()
        this.listeners.set(channel, set)
      }
      set.add(listener)
    }
    return () => {
      for (const channel of names) {
        const set = this.listeners.get(channel)
        if (!set) continue
        set.delete(listener)
        if (set.size === 0) this.listeners.delete(channel)
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.listeners.clear()
    this.waiters.closeAll(CoreErrors.LogClosed.create('the event log is closed'))
  }

  /** The cursor of "now", synchronously. */
  headCursor(): string {
    return formatCursor(this.epoch, this.lastSeq)
  }

  /** Sizes for tests and metrics: what is retained, waiting and listening. */
  stats(): { events: number; bytes: number; channels: number; waiters: number; listenedChannels: number } {
    return {
      events: this.all.length,
      bytes: this.retainedBytes,
      channels: this.channels.size,
      waiters: this.waiters.size,
      listenedChannels: this.listeners.size,
    }
  }

  /** Sequence of `cursor` in this log; -1 marks a cursor from another history (always reset). */
  private positionOf(cursor: string): number {
    const { epoch, seq } = parseCursor(cursor)
    return epoch === this.epoch && seq <= this.lastSeq ? seq : -1
  }

  private resetFor(channels: readonly string[], afterSeq: number): Reset | undefined {
    if (afterSeq < 0) return { type: 'reset', reason: 'epoch', cursor: this.oldestResumeCursor() }
    for (const channel of channels) {
      const trimmedMax = this.channels.get(channel)?.trimmedMax ?? this.goneChannels.get(channel) ?? this.goneEvictedMax
      if (afterSeq < trimmedMax) return { type: 'reset', reason: 'expired', cursor: this.oldestResumeCursor() }
    }
    return undefined
  }

  /** Just before the oldest retained event: a reader resuming there gets everything the log still has. */
  private oldestResumeCursor(): string {
    // Sequences are contiguous here, so the oldest retained one follows from the count.
    return formatCursor(this.epoch, this.lastSeq - this.all.length)
  }

  private trim(): void {
    const cutoff = this.now() - this.maxAgeMs
    for (;;) {
      const oldest = this.all.oldestOwner()
      if (!oldest) return
      if (this.all.length <= this.maxCount && this.retainedBytes <= this.maxBytes && this.all.oldestTime() > cutoff) return
      this.retainedBytes -= this.all.oldestBytes()
      this.all.shift()
      oldest.shift()
      if (oldest.length === 0) {
        this.channels.delete(oldest.name)
        this.rememberGone(oldest.name, oldest.trimmedMax)
      }
    }
  }

  private rememberGone(channel: string, trimmedMax: number): void {
    this.goneChannels.set(channel, trimmedMax)
    if (this.goneChannels.size > MAX_REMEMBERED_GONE_CHANNELS) {
      const [forgotten, max] = this.goneChannels.entries().next().value as [string, number]
      this.goneChannels.delete(forgotten)
      this.goneEvictedMax = Math.max(this.goneEvictedMax, max)
    }
  }

  private assertOpen(): void {
    if (this.closed) throw CoreErrors.LogClosed.create('the event log is closed')
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!(value > 0)) {
    throw CoreErrors.ConfigInvalid.create(`MemoryLog option ${name} must be a positive number`)
  }
  return value
}

/** A channel's events still to merge: from `index` to `end` of its log. */
interface Source {
  readonly log: ChannelLog
  index: number
  readonly end: number
}

function headSeq(source: Source | undefined): number {
  return source ? source.log.seqAt(source.index) : Number.POSITIVE_INFINITY
}

function lastCursor(events: readonly LogEvent[]): string {
  return events.at(-1)?.cursor ?? ''
}
