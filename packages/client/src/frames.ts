import type { LogEvent } from '@pushline/core/wire'
import type { Incoming } from './transports/types.js'

/**
 * The one boundary where frames from the network become typed values: a guard per frame type (the string fields it
 * must carry), no casts of unchecked data. Anything else is `undefined`, which the caller turns into a coded protocol
 * error and a reconnect.
 */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  event: ['channel', 'cursor'],
  hello: ['cursor'],
  subscribed: ['cursor'],
  heartbeat: [],
  close: [],
  reset: ['cursor', 'reason'],
  ack: ['id', 'cursor'],
  error: [],
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

const hasStrings = (value: Record<string, unknown>, keys: readonly string[]) =>
  keys.every((key) => {
    const field = value[key]
    return typeof field === 'string' && field.length > 0 && field.length <= 1024
  })

function isFrame(value: unknown): value is Incoming {
  if (!isObject(value) || typeof value.type !== 'string') return false
  const required = REQUIRED[value.type]
  if (!required || !hasStrings(value, required)) return false
  if (value.type === 'event') return 'data' in value
  if (value.type === 'reset') return value.reason === 'expired' || value.reason === 'epoch'
  if (value.type === 'error') {
    const error = value.error
    return isObject(error) && hasStrings(error, ['code']) && typeof error.message === 'string' && (error.channels === undefined || Array.isArray(error.channels))
  }
  return true
}

const isEvent = (value: unknown): value is LogEvent => asFrame(value, 'event') !== undefined

/** A frame of a stream or of the WebSocket (`type` given for SSE events, whose data has none); undefined if malformed. */
export function asFrame(value: unknown, type?: 'event'): Incoming | undefined {
  const frame = type && isObject(value) ? { ...value, type } : value
  return isFrame(frame) ? frame : undefined
}

/** Parses one JSON text frame; undefined when it is not JSON or not a frame. */
export function parseFrame(text: string, type?: 'event'): Incoming | undefined {
  try {
    return asFrame(JSON.parse(text), type)
  } catch {
    return undefined
  }
}

/** The `cursor` of an answer (`{"cursor":...}`), if it has a valid one. */
export function cursorOf(value: unknown): string | undefined {
  return isObject(value) && hasStrings(value, ['cursor']) ? String(value.cursor) : undefined
}

/** A long-poll 200 body `{"events":[...],"cursor"}`, or a 410 body (a reset). */
export function asBatch(value: unknown): { events: readonly LogEvent[]; cursor: string } | undefined {
  const cursor = cursorOf(value)
  const events: unknown = isObject(value) && value.events
  return cursor && Array.isArray(events) && events.every(isEvent) ? { events, cursor } : undefined
}

const EPOCH = /^[a-z0-9]{1,32}$/
const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && Number(value) >= 0

/**
 * A compact long-poll 200 body (`format=compact`, protocol 1 extension):
 * `{"epoch","channels":[...],"events":[[seq, channel index, data],...],"cursor"}`, as protocol 1's events (cursor
 * `<epoch>-<seq>`, channel `channels[index]`); undefined when any part is malformed.
 */
export function asCompactBatch(value: unknown): { events: readonly LogEvent[]; cursor: string } | undefined {
  const cursor = cursorOf(value)
  if (!cursor || !isObject(value) || typeof value.epoch !== 'string' || !EPOCH.test(value.epoch)) return undefined
  const { epoch, channels, events } = value
  if (!Array.isArray(channels) || !channels.every((name) => typeof name === 'string') || !Array.isArray(events)) return undefined
  const out: LogEvent[] = []
  for (const item of events as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return undefined
    const [seq, index, data] = item as [unknown, unknown, unknown]
    const channel: unknown = Number.isInteger(index) ? channels[Number(index)] : undefined
    if (!isSeq(seq) || typeof channel !== 'string' || !channel) return undefined
    out.push({ channel, cursor: `${epoch}-${seq}`, data })
  }
  return { events: out, cursor }
}
