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
 * A runs long-poll 200 body (`format=runs`, protocol 1 extension):
 * `{"epoch","channels":[...],"runs":[[first seq, count, channel index],...],"data":[...],"cursor"}`, as protocol 1's
 * events in order (each run `count` events with the sequence numbers from `first`, cursors `<epoch>-<seq>`, their data
 * from `data` in turn); undefined when any part is malformed or the runs do not account for `data` exactly.
 */
export function asRunsBatch(value: unknown): { events: readonly LogEvent[]; cursor: string } | undefined {
  const cursor = cursorOf(value)
  if (!cursor || !isObject(value) || typeof value.epoch !== 'string' || !EPOCH.test(value.epoch)) return undefined
  const { epoch, channels, runs, data } = value
  if (!Array.isArray(channels) || !channels.every((name) => typeof name === 'string') || !Array.isArray(runs) || !Array.isArray(data))
    return undefined
  const checked: { first: number; count: number; channel: string }[] = []
  let total = 0
  for (const run of runs as unknown[]) {
    if (!Array.isArray(run) || run.length !== 3) return undefined
    const [first, count, index] = run as [unknown, unknown, unknown]
    const channel: unknown = Number.isInteger(index) ? channels[Number(index)] : undefined
    if (!isSeq(first) || !isSeq(count) || count === 0 || !isSeq(first + count) || typeof channel !== 'string' || !channel)
      return undefined
    total += count
    checked.push({ first, count, channel })
  }
  // Counted before any event is made: a run claiming more events than `data` holds is refused, not iterated.
  if (total !== data.length) return undefined
  const out: LogEvent[] = []
  for (const { first, count, channel } of checked)
    for (let i = 0; i < count; i++) out.push({ channel, cursor: `${epoch}-${first + i}`, data: data[out.length] })
  return { events: out, cursor }
}
