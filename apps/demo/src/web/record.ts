import type { ClientState, ResetInfo, TransportName, TransportReason } from '@pushline/client'
import type { ReadyRecord } from './ready.js'

export interface SwitchRecord {
  readonly at: string
  readonly name: TransportName
  readonly previous: TransportName | null
  readonly reason: TransportReason
}

export interface WatchedChannel {
  /** The `n` of every load event in arrival order: the e2e suite checks it is exactly 0..count-1. */
  readonly received: number[]
  duplicates: number
  outOfOrder: number
  /** Set once this channel's own subscription is positioned (its start cursor and when); null until then. */
  ready: ReadyRecord | null
}

/**
 * What the page has seen, kept in plain data: the views render from it, and it is exposed as
 * `window.pushlineDemo` so that the e2e suite (or a curious user in the console) can read it.
 */
export interface DemoRecord {
  transport: TransportName | null
  /** Why the client switched last (empty before the first choice). */
  reason: TransportReason | ''
  /** The client's connection state: 'connecting', 'connected', 'reconnecting', ... */
  state: ClientState
  /** When the page's own subscription (ticker, chat) was positioned; null until then. */
  ready: ReadyRecord | null
  /** A final subscription error, if the server refused it. */
  error: string | null
  readonly switches: SwitchRecord[]
  readonly resets: ResetInfo[]
  readonly watched: Record<string, WatchedChannel>
  readonly chat: { cursor: string; from: string; text: string }[]
  events: number
  lastCursor: string | null
}

export function createRecord(watch: readonly string[]): DemoRecord {
  const watched: Record<string, WatchedChannel> = {}
  for (const channel of watch) watched[channel] = { received: [], duplicates: 0, outOfOrder: 0, ready: null }
  return {
    transport: null,
    reason: '',
    state: 'idle',
    ready: null,
    error: null,
    switches: [],
    resets: [],
    watched,
    chat: [],
    events: 0,
    lastCursor: null,
  }
}

/** Notes a load event `{ n }` on a watched channel, counting anything that breaks "in order, exactly once". */
export function noteWatched(record: DemoRecord, event: { readonly channel: string; readonly data: unknown }): void {
  const channel = record.watched[event.channel]
  const n = loadNumber(event.data)
  if (!channel || n === undefined) return
  const last = channel.received[channel.received.length - 1]
  if (last !== undefined && n <= last) {
    if (channel.received.includes(n)) channel.duplicates++
    else channel.outOfOrder++
  }
  channel.received.push(n)
}

function loadNumber(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null || !('n' in data)) return undefined
  return typeof data.n === 'number' ? data.n : undefined
}

declare global {
  interface Window {
    pushlineDemo?: DemoRecord
  }
}
