import type { PushlineError } from '@pushline/core'
import type { SubscribeOptions } from './api.js'
import { isAfter, isNewReset } from './dedup.js'
import { ClientErrorCode, clientError } from './errors.js'
import type { Incoming } from './transports/types.js'

/**
 * The client's subscriptions and how one connection's stream serves them all. Each subscription keeps its own
 * position; a stream that started at or before that position (and covers its channels) vouches for everything up to
 * each cursor it carries, so every event or position frame moves the position of every subscription the stream
 * serves, and only events of its own channels reach its handler. Any number of overlapping streams (a race, a
 * reconnect, a resubscribe) then merge into one exact sequence per subscription (dedup.ts).
 */
export interface Sub {
  readonly channels: readonly string[]
  readonly has: ReadonlySet<string>
  readonly handlers: SubscribeOptions<undefined, string>
  pos: string | undefined
  /** Accepted once by the server in some stream: a later refusal is not its fault. */
  accepted: boolean
  stopped: boolean
  positioned(cursor: string): void
}

/** What one stream (or one WebSocket subscribe) serves: the union of channels, from the oldest position needed. */
export interface Segment {
  readonly channels: readonly string[]
  readonly from: string | undefined
  readonly subs: readonly Sub[]
}

export type Report = (error: PushlineError) => void

export function newSub(channels: readonly string[], handlers: SubscribeOptions<undefined, string>, onPositioned: (cursor: string) => void): Sub {
  const sub: Sub = {
    channels,
    has: new Set(channels),
    handlers,
    pos: handlers.cursor || undefined,
    accepted: false,
    stopped: false,
    positioned(cursor) {
      sub.pos ??= cursor
      onPositioned(sub.pos)
    },
  }
  return sub
}

/** Runs an application callback; a throw is reported and delivery goes on. */
export function call(report: Report, run: () => void): void {
  try {
    run()
  } catch (cause) {
    report(clientError(ClientErrorCode.Handler, 'handler threw', cause))
  }
}

const epochOf = (cursor: string) => cursor.slice(0, cursor.lastIndexOf('-'))
const seqOf = (cursor: string) => Number(cursor.slice(cursor.lastIndexOf('-') + 1))

/**
 * Where a stream for `subs` must start: the oldest position. A position from another history of the log than the
 * server's (`epoch`, from the latest cursor the server gave) goes first: the server answers it with a reset to the
 * oldest event it has, which every other position is at or after.
 */
export function oldest(positions: readonly string[], epoch: string | undefined): string | undefined {
  let from: string | undefined
  for (const pos of positions) {
    if (from === undefined) from = pos
    else if (epochOf(pos) === epochOf(from)) from = seqOf(pos) < seqOf(from) ? pos : from
    else if (epochOf(pos) !== epoch) from = pos
  }
  return from
}

/**
 * The segment for the subscriptions now, in the order they were made; a subscription whose channels would take the
 * union past `maxChannels` is left out and returned in `over`. Subscriptions still waiting for their position are
 * left out unless `cursorless` (a server that gives none: the stream's hello positions them).
 */
export function plan(subs: Iterable<Sub>, maxChannels: number, epoch: string | undefined, cursorless: boolean): { segment: Segment; over: Sub[] } {
  const channels = new Set<string>()
  const members: Sub[] = []
  const over: Sub[] = []
  for (const sub of subs) {
    if (sub.stopped || (sub.pos === undefined && !cursorless)) continue
    const added = sub.channels.filter((channel) => !channels.has(channel))
    if (channels.size + added.length > maxChannels) {
      over.push(sub)
      continue
    }
    for (const channel of added) channels.add(channel)
    members.push(sub)
  }
  const positions = members.flatMap((sub) => (sub.pos === undefined ? [] : [sub.pos]))
  const from = members.some((sub) => sub.pos === undefined) ? undefined : oldest(positions, epoch)
  return { segment: { channels: [...channels], from, subs: members }, over }
}

/** Whether `segment` already serves `wanted` exactly: the same channels and every subscription. */
export function serves(segment: Segment, wanted: Segment): boolean {
  const have = new Set(segment.channels)
  return (
    have.size === wanted.channels.length &&
    wanted.channels.every((channel) => have.has(channel)) &&
    wanted.subs.every((sub) => segment.subs.includes(sub))
  )
}

/**
 * Hands one frame of a stream serving `segment` to its subscriptions. Returns the stream's new position (where a
 * reconnect or the next poll starts), or undefined when the frame does not move it.
 */
export function route(segment: Segment, frame: Incoming, report: Report): string | undefined {
  // stopped subscriptions are skipped in place: no array per frame, this runs for every event of the stream
  const { subs } = segment
  switch (frame.type) {
    case 'hello':
      for (const sub of subs) {
        if (sub.stopped) continue
        sub.accepted = true
        if (sub.pos === undefined) sub.positioned(frame.cursor)
      }
      return frame.cursor
    case 'event':
      for (const sub of subs) {
        if (sub.stopped || !isAfter(sub.pos, frame.cursor)) continue
        sub.pos = frame.cursor
        if (sub.has.has(frame.channel)) call(report, () => sub.handlers.onEvent({ channel: frame.channel, cursor: frame.cursor, data: frame.data }))
      }
      return frame.cursor
    case 'position':
      for (const sub of subs) if (!sub.stopped && isAfter(sub.pos, frame.cursor)) sub.pos = frame.cursor
      return frame.cursor
    case 'reset':
      // only a subscription whose own position is gone (before the reset's cursor, or of another epoch) is told
      for (const sub of subs) {
        if (sub.stopped || !isNewReset(sub.pos, frame.cursor)) continue
        sub.pos = frame.cursor
        call(report, () => sub.handlers.onReset?.({ reason: frame.reason, cursor: frame.cursor }))
      }
      return frame.cursor
    default:
      return undefined
  }
}
