import {
  type EventLog,
  type LogEvent,
  type LogListener,
  type LongpollFormat,
  longpollBatch,
  longpollCompactBatch,
  longpollRunsBatch,
} from '@pushline/core'
import { type HeldPoll, HoldRegistry } from '../lifecycle/hold-registry.js'

/** A long-poll answer, serialized once and handed to every poll at the same position on the same channels. */
export interface SharedAnswer {
  readonly status: 200 | 410
  readonly body: Buffer
  /** The batch's cursor, or the reset's (the `Pushline-Cursor` of the answer). */
  readonly cursor: string
  /** Events in the answer (0 for a reset). */
  readonly events: number
}

/** What a read found: an answer to send, or nothing yet (park at `cursor`). */
export type SharedRead = { readonly answer: SharedAnswer } | { readonly answer: undefined; readonly cursor: string }

export interface ReadLimits {
  readonly limit: number
  readonly maxBytes: number
}

/** A poll parked in a group until an event comes (or its hold ends, which takes it out again). */
export interface Parked {
  /** The position it waits after (the head its last read found). */
  position: string
  /** False once it has answered or left: a batch already under way skips it. */
  readonly isLive: boolean
  /** Answers it with the shared answer found for its position. */
  answer(answer: SharedAnswer): void
  /** A read for its position failed: it answers with the error. */
  fail(error: unknown): void
}

/** An answer is reused at most this long even without a new event (a log may trim by age alone). */
const ANSWER_TTL_MS = 1000
/** Positions remembered before the oldest answers are dropped. */
const MAX_POSITIONS = 256

interface Cached {
  readonly at: number
  readonly read: Promise<SharedRead>
  /** What the read found, once it has: later polls take it without waiting a microtask turn. */
  found?: SharedRead
}

/**
 * Every long-poll on one channel set (issue 15). Polls at one position share ONE log read and ONE serialized answer
 * (a Buffer each reply sends as it is) until the next event; polls that find nothing are parked here, not on a log
 * waiter each: the group listens to the log once, and the events of one loop turn (a burst of HTTP publishes, a
 * publisher's timer tick) wake every parked poll in ONE batch on the next turn, one read per position. For the
 * publishes' ordering (a publish answers after the polls it woke) the group is ONE hold in the HoldRegistry while
 * polls are parked, not one per poll.
 */
export class PollGroup implements LogListener, HeldPoll {
  barriers: HeldPoll['barriers'] = undefined
  /** Counts the events seen; a poll whose read started before an event re-reads instead of parking. */
  generation = 0
  usedAt = 0
  private readonly answers = new Map<string, Cached>()
  private parked = new Map<string, Set<Parked>>()
  private parkedCount = 0
  private scheduled = false
  /** Batches being answered (reads in flight). */
  private flushing = 0
  private registered = false
  private readonly unlisten: () => void

  constructor(
    private readonly log: EventLog,
    private readonly channels: readonly string[],
    private readonly limits: ReadLimits,
    private readonly holds: HoldRegistry,
    /** Answers in this long-poll format (`format=`), where it can spell them; undefined: protocol 1's. */
    private readonly format: LongpollFormat | undefined = undefined,
  ) {
    this.unlisten = log.listen(channels, this)
  }

  /** Polls parked here, plus the batches being answered (an idle sweep must not close the group meanwhile). */
  get size(): number {
    return this.parkedCount + this.flushing
  }

  /** The answer for polls after `cursor`: shared until the next event here (or a second). */
  read(cursor: string): Promise<SharedRead> {
    return this.entry(cursor).read
  }

  /**
   * What the shared read for `cursor` found, when it already has (most polls under load), else undefined: the
   * caller then awaits `read`. Saves a promise turn per poll.
   */
  found(cursor: string): SharedRead | undefined {
    return this.entry(cursor).found
  }

  private entry(cursor: string): Cached {
    const now = Date.now()
    const cached = this.answers.get(cursor)
    if (cached && now - cached.at < ANSWER_TTL_MS) return cached
    if (this.answers.size >= MAX_POSITIONS) this.answers.clear()
    const read = this.readOnce(cursor)
    const entry: Cached = { at: now, read }
    this.answers.set(cursor, entry)
    read.then(
      (found) => {
        entry.found = found
      },
      // A failed read is not remembered: the next poll tries again.
      () => {
        if (this.answers.get(cursor) === entry) this.answers.delete(cursor)
      },
    )
    return entry
  }

  /**
   * Parks `poll` at its position. `seen` is the generation before its read: an event since then may not be in what
   * it read, so it is woken with the next batch at once.
   */
  park(poll: Parked, seen: number): void {
    let set = this.parked.get(poll.position)
    if (!set) {
      set = new Set()
      this.parked.set(poll.position, set)
    }
    set.add(poll)
    this.parkedCount++
    if (!this.registered) {
      this.registered = true
      this.holds.add(this, this.channels)
    }
    if (seen !== this.generation) this.schedule()
  }

  /** Takes `poll` out (its hold ended, it went away or the server is closing). */
  unpark(poll: Parked): void {
    const set = this.parked.get(poll.position)
    if (!set?.delete(poll)) return
    this.parkedCount--
    if (set.size === 0) this.parked.delete(poll.position)
    if (this.parkedCount === 0) this.unregister()
  }

  onEvent(): void {
    this.generation++
    if (this.answers.size > 0) this.answers.clear()
    if (this.parkedCount > 0) this.schedule()
  }

  onGap(): void {
    this.onEvent()
  }

  /** Stops listening to the log (the group is idle or the plugin is closing). */
  close(): void {
    this.unlisten()
    this.answers.clear()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  /**
   * The batched wake-up: every parked poll is taken out, ONE read per position, the same answer written to each;
   * polls whose position has nothing yet (the read moved on to the head) are parked again. The publishes waiting
   * for this round are released once every answer of it is written.
   */
  private flush(): void {
    this.scheduled = false
    const positions = this.parked
    const due = this.barriers
    this.barriers = undefined
    this.parked = new Map()
    this.parkedCount = 0
    let pending = positions.size
    this.flushing++
    const done = (): void => {
      if (--pending > 0) return
      this.flushing--
      HoldRegistry.round({ barriers: due })
      if (this.parkedCount === 0) this.unregister()
      // Publishes made while this batch was read: unless a next batch is due (it takes them), they woke no parked
      // poll (a poll parked since read past them), so they wait for nothing more.
      else if (!this.scheduled) HoldRegistry.round(this)
    }
    for (const [position, polls] of positions) {
      const seen = this.generation
      this.read(position).then(
        (result) => {
          const answer = result.answer
          // Bounded by the polls parked at this position when the batch began.
          for (const poll of polls) {
            if (!poll.isLive) continue
            if (answer) poll.answer(answer)
            else {
              poll.position = result.cursor
              this.park(poll, seen)
            }
          }
          done()
        },
        (error: unknown) => {
          for (const poll of polls) if (poll.isLive) poll.fail(error)
          done()
        },
      )
    }
    if (pending === 0) {
      pending = 1
      done()
    }
  }

  private unregister(): void {
    if (!this.registered) return
    this.registered = false
    this.holds.delete(this, this.channels)
    // Publishes that were waiting on polls that all left meanwhile go on.
    HoldRegistry.round(this)
  }

  private async readOnce(cursor: string): Promise<SharedRead> {
    const result = await this.log.read(this.channels, cursor, this.limits)
    if (result.type === 'reset')
      return { answer: { status: 410, body: Buffer.from(JSON.stringify(result)), events: 0, cursor: result.cursor } }
    if (result.events.length === 0) return { answer: undefined, cursor: result.cursor }
    const text = this.spell(result.events, result.cursor) ?? longpollBatch(result.events, result.cursor)
    return { answer: { status: 200, body: Buffer.from(text), events: result.events.length, cursor: result.cursor } }
  }

  /** The body in the group's format, or undefined (protocol 1's body answers). */
  private spell(events: readonly LogEvent[], cursor: string): string | undefined {
    if (this.format === 'runs') return longpollRunsBatch(events, this.channels, cursor)
    if (this.format === 'compact') return longpollCompactBatch(events, this.channels, cursor)
    return undefined
  }
}
