import { createEvent, formatCursor, type LogEvent } from '@pushline/core'
import type { Redis } from 'ioredis'
import type { LogKeys } from './keys.js'
import type { LuaScript } from './lua-script.js'
import { parseHead, parseMarks, parseXread, rawEntries, type StreamEntry, seqOfId } from './replies.js'
import type { Subscription } from './subscription.js'

export interface StreamReaderOptions {
  /** Dedicated connection: it spends its life blocked in XREAD. */
  readonly reader: Redis
  /** The shared command connection, used only to wake the reader. */
  readonly command: Redis
  readonly keys: LogKeys
  readonly headScript: LuaScript
  readonly newEpoch: () => string
  /** Server-side XREAD BLOCK timeout: only a liveness check, channel changes wake the reader at once. */
  readonly blockMs: number
  /** Entries per stream per XREAD. */
  readonly count: number
  /** Most events fetched per channel to catch a new subscriber up with the reader; more turns into a gap. */
  readonly catchUpMax: number
  readonly onError: (error: unknown) => void
}

interface ChannelState {
  /** Entries at or below this sequence are wanted by no subscriber of the channel. */
  floor: number
  readonly subs: Set<Subscription>
}

const WAKE_TTL_MS = 10 * 60 * 1000

/**
 * The one blocking reader of a RedisLog: a dedicated connection doing XREAD BLOCK over the streams of the channels
 * that have local listeners or waiters, fanning every entry out locally. However many subscribers a process has,
 * it holds two Redis connections: this one and the command connection.
 *
 * Invariant: every active channel's entries with a sequence in (floor, frontier] have been handed to its live
 * subscribers, in sequence order across channels. Each XREAD reads a stream from max(frontier, floor), and when a
 * stream's reply is cut by COUNT only the entries up to that cut are dispatched, so order holds across channels.
 * A new subscriber with threshold t below the frontier is first caught up with XRANGE (t, frontier].
 */
export class StreamReader {
  private readonly o: StreamReaderOptions
  private readonly channels = new Map<string, ChannelState>()
  private readonly byStream = new Map<string, string>()
  private pending: Subscription[] = []
  private epoch: string | undefined
  private frontier = 0
  private controlId = '0-0'
  private wakeId = '0-0'
  private readonly wakeKey: string
  private phase: 'idle' | 'busy' | 'reading' = 'busy'
  private idleWake: (() => void) | undefined
  private needsResync = true
  private closed = false
  private readonly running: Promise<void>
  private stopWaiting: (error: Error) => void = () => {}
  /** Rejects when the reader closes: a Redis reply that never comes (a connection torn down mid-connect) cannot hold close() up. */
  private readonly stopped = new Promise<never>((_, reject) => {
    this.stopWaiting = reject
  })

  constructor(options: StreamReaderOptions, readerId: string) {
    this.o = options
    this.wakeKey = options.keys.wake(readerId)
    this.stopped.catch(() => {})
    this.running = this.run()
  }

  /** Hands a subscription whose threshold is now known (or known to be unknown: epoch undefined) to the reader. */
  activate(sub: Subscription): void {
    if (this.closed || sub.done) return
    this.pending.push(sub)
    this.wake()
  }

  remove(sub: Subscription): void {
    sub.done = true
    for (const channel of sub.channels) this.channels.get(channel)?.subs.delete(sub)
  }

  /** Local subscriptions, for tests and metrics. */
  stats(): { channels: number; subscriptions: number } {
    const subs = new Set<Subscription>()
    for (const state of this.channels.values()) for (const sub of state.subs) subs.add(sub)
    return { channels: this.channels.size, subscriptions: subs.size }
  }

  async close(): Promise<void> {
    this.closed = true
    this.idleWake?.()
    this.stopWaiting(new Error('the reader is closed'))
    this.o.reader.disconnect()
    await this.running
  }

  private wake(): void {
    if (this.phase === 'idle') {
      this.idleWake?.()
    } else if (this.phase === 'reading') {
      // An entry on the reader's private stream ends its XREAD whether it arrives before or during the block.
      this.o.command
        .multi()
        .xadd(this.wakeKey, 'MAXLEN', '1', '*', 'w', '1')
        .pexpire(this.wakeKey, WAKE_TTL_MS)
        .exec()
        .catch(() => {
          // Redis unreachable: the reader is failing too and processes pending subscriptions when back.
        })
    }
  }

  private async run(): Promise<void> {
    let backoff = 0
    while (!this.closed) {
      try {
        if (this.needsResync) await this.resync()
        if (this.pending.length > 0) await this.activatePending()
        for (const [channel, state] of this.channels) if (state.subs.size === 0) this.channels.delete(channel)
        if (this.channels.size === 0 && this.pending.length === 0) await this.idle()
        else if (this.pending.length === 0) await this.readRound()
        backoff = 0
      } catch (error) {
        if (this.closed) return
        this.phase = 'busy'
        this.needsResync = true
        this.o.onError(error)
        backoff = Math.min(1000, backoff === 0 ? 25 : backoff * 2)
        await new Promise((resolve) => setTimeout(resolve, backoff))
      }
    }
  }

  private idle(): Promise<void> {
    this.phase = 'idle'
    return new Promise<void>((resolve) => {
      this.idleWake = () => {
        this.idleWake = undefined
        this.phase = 'busy'
        resolve()
      }
    })
  }

  private async head(): Promise<{ epoch: string; seq: number }> {
    const keys = this.o.keys
    return parseHead(
      await this.guard(
        this.o.headScript.run(this.o.reader, [keys.epoch, keys.seq, keys.control, keys.trimmed], [this.o.newEpoch(), 0]),
      ),
    )
  }

  /** After a start or a lost connection: same history? then did retention drop anything the reader had not read? */
  private async resync(): Promise<void> {
    const { epoch, seq } = await this.head()
    if (this.epoch === undefined) {
      this.epoch = epoch
      this.frontier = seq
    } else if (epoch !== this.epoch) {
      this.historyLost(epoch, seq)
    } else {
      const names = [...this.channels.keys()]
      if (names.length > 0) this.reportTrimmed(names, parseMarks(await this.guard(this.o.reader.hmget(this.o.keys.trimmed, ...names))))
    }
    this.needsResync = false
  }

  /** Redis was flushed or replaced: every threshold and position is void; subscribers re-read and get a reset. */
  private historyLost(epoch: string, seq: number): void {
    this.epoch = epoch
    this.frontier = seq
    const gapped = new Set<Subscription>()
    for (const state of this.channels.values()) {
      state.floor = seq
      for (const sub of state.subs) {
        sub.after = seq
        sub.epoch = epoch
        gapped.add(sub)
      }
    }
    for (const sub of this.pending) if (sub.epoch !== epoch) sub.gap = true
    for (const sub of gapped) this.gapped(sub)
  }

  private async activatePending(): Promise<void> {
    if (this.pending.some((sub) => sub.epoch !== this.epoch)) {
      const { epoch, seq } = await this.head()
      if (epoch !== this.epoch) this.historyLost(epoch, seq)
      for (const sub of this.pending) {
        if (sub.epoch === this.epoch) continue
        // Threshold unknown or from another history: start at the head and make the subscriber re-read.
        sub.after = seq
        sub.epoch = this.epoch
        sub.gap = true
      }
    }
    const batch = this.pending
    this.pending = []
    const from = new Map<string, number>()
    for (const sub of batch) {
      if (sub.done) continue
      for (const channel of sub.channels) {
        const state = this.channels.get(channel)
        if (state) state.floor = Math.min(state.floor, sub.after)
        else this.channels.set(channel, { floor: sub.after, subs: new Set() })
        if (sub.after < this.frontier) from.set(channel, Math.min(from.get(channel) ?? sub.after, sub.after))
      }
    }
    const caught = await this.catchUp(from)
    for (const sub of batch) {
      if (sub.done) continue
      const events: StreamEntry[] = []
      let truncated = false
      for (const channel of sub.channels) {
        const got = caught.get(channel)
        if (!got) continue
        truncated ||= got.truncated
        for (const entry of got.entries) if (entry.seq > sub.after) events.push(entry)
      }
      events.sort((a, b) => a.seq - b.seq)
      for (const channel of sub.channels) this.channels.get(channel)?.subs.add(sub)
      for (const entry of events) {
        if (sub.done) break
        this.deliver(sub, this.toEvent(entry))
      }
      if (!sub.done && (sub.gap || truncated)) {
        sub.gap = false
        this.gapped(sub)
      }
    }
  }

  private async catchUp(from: Map<string, number>): Promise<Map<string, { entries: StreamEntry[]; truncated: boolean }>> {
    const caught = new Map<string, { entries: StreamEntry[]; truncated: boolean }>()
    if (from.size === 0) return caught
    const pipeline = this.o.reader.pipeline()
    const names = [...from.keys()]
    for (const channel of names) {
      pipeline.xrange(this.o.keys.stream(channel), `(${from.get(channel)}-0`, `${this.frontier}-0`, 'COUNT', this.o.catchUpMax)
    }
    const replies = (await this.guard(pipeline.exec())) ?? []
    names.forEach((channel, i) => {
      const [error, reply] = replies[i] ?? [new Error('missing reply'), null]
      if (error) throw error
      const entries = rawEntries(reply, 'XRANGE').map(([id, fields]) => ({ channel, seq: seqOfId(id), data: fields[1] ?? 'null' }))
      caught.set(channel, { entries, truncated: entries.length >= this.o.catchUpMax })
    })
    return caught
  }

  private async readRound(): Promise<void> {
    const names = [...this.channels.keys()]
    const readFrom = names.map((channel) => Math.max(this.frontier, this.channels.get(channel)!.floor))
    const streams = names.map((channel) => this.o.keys.stream(channel))
    this.byStream.clear()
    names.forEach((channel, i) => {
      this.byStream.set(streams[i]!, channel)
    })
    this.phase = 'reading'
    // HMGET runs right after XREAD returns, on the same connection: the low-water marks tell whether retention
    // trimmed entries before the reader got to them.
    const replies = await this.guard(
      this.o.reader
      .pipeline()
      .xread(
        'COUNT',
        this.o.count,
        'BLOCK',
        this.o.blockMs,
        'STREAMS',
        this.o.keys.control,
        this.wakeKey,
        ...streams,
        this.controlId,
        this.wakeId,
        ...readFrom.map((seq) => `${seq}-0`),
      )
      .hmget(this.o.keys.trimmed, ...names)
      .exec(),
    )
    this.phase = 'busy'
    const [[readError, readReply] = [null, null], [markError, marks] = [null, null]] = replies ?? []
    if (readError) throw readError
    if (markError) throw markError
    const round = parseXread(readReply)
    const control = round.get(this.o.keys.control)
    const wake = round.get(this.wakeKey)
    if (wake && wake.length > 0) this.wakeId = wake[wake.length - 1]![0]
    if (control && control.length > 0) {
      this.controlId = control[control.length - 1]![0]
      const { epoch, seq } = await this.head()
      if (epoch !== this.epoch) {
        this.historyLost(epoch, seq)
        return
      }
    }
    this.reportTrimmed(names, parseMarks(marks), readFrom)
    const entries: StreamEntry[] = []
    let bound = Number.POSITIVE_INFINITY
    for (const [stream, list] of round) {
      const channel = this.byStream.get(stream)
      if (channel === undefined) continue
      for (const [id, fields] of list) entries.push({ channel, seq: seqOfId(id), data: fields[1] ?? 'null' })
      if (list.length >= this.o.count) bound = Math.min(bound, seqOfId(list[list.length - 1]![0]))
    }
    entries.sort((a, b) => a.seq - b.seq)
    let last = this.frontier
    for (const entry of entries) {
      if (entry.seq > bound) break
      last = entry.seq
      const state = this.channels.get(entry.channel)
      if (!state || state.subs.size === 0) continue
      const event = this.toEvent(entry)
      for (const sub of [...state.subs]) if (entry.seq > sub.after && !sub.done) this.deliver(sub, event)
    }
    this.frontier = Number.isFinite(bound) ? bound : Math.max(this.frontier, last)
  }

  /**
   * A channel whose low-water mark passed the position the reader read it from lost entries before the reader
   * saw them: its subscribers must re-read (and get an `expired` reset). Checked before the round is dispatched.
   */
  private reportTrimmed(names: readonly string[], marks: readonly (string | null)[], readFrom?: readonly number[]): void {
    names.forEach((channel, i) => {
      const state = this.channels.get(channel)
      const mark = Number(marks[i] ?? 0)
      if (!state) return
      const position = readFrom?.[i] ?? Math.max(this.frontier, state.floor)
      if (mark <= position) return
      state.floor = Math.max(state.floor, mark)
      for (const sub of [...state.subs]) this.gapped(sub)
    })
  }

  private guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.stopped])
  }

  private toEvent(entry: StreamEntry): LogEvent {
    return createEvent(entry.channel, formatCursor(this.epoch!, entry.seq), JSON.parse(entry.data), entry.data)
  }

  private deliver(sub: Subscription, event: LogEvent): void {
    try {
      if (!sub.deliver(event)) this.remove(sub)
    } catch (error) {
      this.o.onError(error)
    }
  }

  private gapped(sub: Subscription): void {
    if (sub.done) return
    try {
      if (!sub.gapped()) this.remove(sub)
    } catch (error) {
      this.o.onError(error)
    }
  }
}
