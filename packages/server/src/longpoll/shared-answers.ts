import { type EventLog, type LogListener, longpollBatch } from '@pushline/core'

/** A long-poll answer, serialized once and handed to every poll at the same position on the same channels. */
export interface SharedAnswer {
  readonly status: 200 | 410
  readonly body: Buffer
  /** The batch's cursor, or the reset's (the `Pushline-Cursor` of the answer). */
  readonly cursor: string
  /** Events in the answer (0 for a reset). */
  readonly events: number
}

/** What a read found: an answer to send, or nothing yet (wait from `cursor`). */
export type SharedRead = { readonly answer: SharedAnswer } | { readonly answer: undefined; readonly cursor: string }

export interface SharedAnswersOptions {
  readonly limit: number
  readonly maxBytes: number
}

/** An answer is reused at most this long even without a new event (a log may trim by age alone). */
const ANSWER_TTL_MS = 1000
/** Positions remembered per channel set before the oldest answers are dropped. */
const MAX_POSITIONS = 256
/** A channel set no poll has asked about for this long stops listening to the log. */
const IDLE_SET_MS = 10_000

interface Cached {
  readonly at: number
  readonly read: Promise<SharedRead>
}

interface Waiting {
  readonly abort: AbortController
  readonly woken: Promise<void>
  polls: number
}

/**
 * Long-polls at the same position on the same channels share their work (issue 15): ONE log read and ONE
 * serialized answer (a Buffer every reply sends as it is) until the next event on those channels, and ONE log
 * waiter for all the polls held there, so an event wakes them in one batch instead of one read and one
 * serialization per poll. Keyed by the channel list as the poll gives it (order included) and the cursor.
 */
export class SharedAnswers {
  private readonly sets = new Map<string, ChannelSet>()
  private lastSweep = Date.now()

  constructor(
    private readonly log: EventLog,
    private readonly options: SharedAnswersOptions,
  ) {}

  /** The answer for polls after `cursor` on `channels`: shared until the next event there (or a second). */
  read(channels: readonly string[], cursor: string): Promise<SharedRead> {
    const set = this.setOf(channels)
    const now = Date.now()
    const cached = set.answers.get(cursor)
    if (cached && now - cached.at < ANSWER_TTL_MS) return cached.read
    if (set.answers.size >= MAX_POSITIONS) set.answers.clear()
    const read = this.readOnce(channels, cursor)
    set.answers.set(cursor, { at: now, read })
    // A failed read is not remembered: the next poll tries again.
    read.catch(() => {
      if (set.answers.get(cursor)?.read === read) set.answers.delete(cursor)
    })
    return read
  }

  /**
   * Resolves once an event after `cursor` is in the log; every poll waiting at that position shares one log
   * waiter. Rejects (or never resolves, if the poll is aborted first) when `signal` aborts.
   */
  wait(channels: readonly string[], cursor: string, signal: AbortSignal): Promise<void> {
    const set = this.setOf(channels)
    let waiting = set.waiting.get(cursor)
    if (!waiting) {
      const abort = new AbortController()
      const created: Waiting = { abort, polls: 0, woken: this.log.wait(channels, cursor, abort.signal) }
      const forget = (): void => {
        if (set.waiting.get(cursor) === created) set.waiting.delete(cursor)
      }
      created.woken.then(forget, forget)
      set.waiting.set(cursor, created)
      waiting = created
    }
    const shared = waiting
    shared.polls++
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (--shared.polls === 0) {
          shared.abort.abort()
          if (set.waiting.get(cursor) === shared) set.waiting.delete(cursor)
        }
        reject(signal.reason)
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      shared.woken.then(
        () => {
          signal.removeEventListener('abort', onAbort)
          shared.polls--
          resolve()
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort)
          shared.polls--
          reject(error)
        },
      )
    })
  }

  /** Stops listening to the log (the plugin is closing). */
  close(): void {
    for (const set of this.sets.values()) set.unlisten()
    this.sets.clear()
  }

  private async readOnce(channels: readonly string[], cursor: string): Promise<SharedRead> {
    const result = await this.log.read(channels, cursor, { limit: this.options.limit, maxBytes: this.options.maxBytes })
    if (result.type === 'reset') return { answer: { status: 410, body: Buffer.from(JSON.stringify(result)), events: 0, cursor: result.cursor } }
    if (result.events.length === 0) return { answer: undefined, cursor: result.cursor }
    return {
      answer: { status: 200, body: Buffer.from(longpollBatch(result.events, result.cursor)), events: result.events.length, cursor: result.cursor },
    }
  }

  private setOf(channels: readonly string[]): ChannelSet {
    const key = channels.length === 1 ? (channels[0] ?? '') : channels.join('\n')
    const now = Date.now()
    if (now - this.lastSweep > IDLE_SET_MS) this.sweep(now)
    let set = this.sets.get(key)
    if (!set) {
      set = new ChannelSet()
      set.unlisten = this.log.listen(channels, set)
      this.sets.set(key, set)
    }
    set.usedAt = now
    return set
  }

  private sweep(now: number): void {
    this.lastSweep = now
    for (const [key, set] of this.sets) {
      if (set.waiting.size === 0 && now - set.usedAt > IDLE_SET_MS) {
        set.unlisten()
        this.sets.delete(key)
      }
    }
  }
}

/** The answers and waiters of one channel set; it listens to the log to forget its answers on each event. */
class ChannelSet implements LogListener {
  readonly answers = new Map<string, Cached>()
  readonly waiting = new Map<string, Waiting>()
  usedAt = 0
  unlisten: () => void = () => {}

  onEvent(): void {
    if (this.answers.size > 0) this.answers.clear()
  }

  onGap(): void {
    this.answers.clear()
  }
}
