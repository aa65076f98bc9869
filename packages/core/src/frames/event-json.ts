import type { LogEvent } from '../event.js'

// The JSON of each event is made once and shared by every format and every subscriber that receives it. Events made
// by a log carry it under a symbol (cheaper than a WeakMap on the append path, and invisible to JSON.stringify);
// events made elsewhere are cached in a WeakMap.
const JSON_OF = Symbol('pushline.eventJson')
const cache = new WeakMap<LogEvent, string>()

interface EventWithJson<T> extends LogEvent<T> {
  readonly [JSON_OF]: string
}

/** `{"channel":...,"cursor":...,"data":...}` for `event`, made once per event object. */
export function eventJson(event: LogEvent): string {
  const known = (event as Partial<EventWithJson<unknown>>)[JSON_OF]
  if (known !== undefined) return known
  let json = cache.get(event)
  if (json === undefined) {
    json = JSON.stringify({ channel: event.channel, cursor: event.cursor, data: event.data })
    cache.set(event, json)
  }
  return json
}

/**
 * Builds an event whose data JSON is already known (the log serialized it on append), keeping the event's JSON.
 * `channel` must be a valid channel name and `cursor` a cursor: neither needs JSON escaping.
 */
export function createEvent<T>(channel: string, cursor: string, data: T, dataJson: string): LogEvent<T> {
  const event: EventWithJson<T> = {
    channel,
    cursor,
    data,
    // One flat string (`join`), not the chain of concatenations a template literal leaves (V8 cons strings): a log
    // keeps 100,000 events, and each link was an object of its own for every collection to copy and mark.
    [JSON_OF]: ['{"channel":"', channel, '","cursor":"', cursor, '","data":', dataJson, '}'].join(''),
  }
  return event
}

type EncodedEvent<Bytes> = LogEvent & { readonly [slot: symbol]: Bytes | undefined }

/**
 * A per-format cache of encoded bytes: one encoding per event per format, kept on the event object under a symbol
 * of this encoder's own (non-enumerable, so spreads and JSON of an event never see it) and so dropped with the event.
 * Not a WeakMap: a log retains its last 100,000 events by default, and with that many WeakMap entries per format
 * (ephemerons, which V8 marks in rounds) its collections paused for up to ~200 ms, against ~20 ms with the same
 * bytes held by plain properties (600,000 appends framed for WebSocket, measured with a `gc` PerformanceObserver).
 * Events that cannot take a property (frozen ones made outside a log) fall back to a WeakMap. Generic over the byte
 * type so that this file names no Node global (the browser entry re-exports it).
 */
export function cachedEncoder<Bytes>(encode: (event: LogEvent) => Bytes): (event: LogEvent) => Bytes {
  const slot = Symbol('pushline.encoded')
  const frozen = new WeakMap<LogEvent, Bytes>()
  return (event) => {
    let encoded = (event as EncodedEvent<Bytes>)[slot] ?? frozen.get(event)
    if (encoded !== undefined) return encoded
    encoded = encode(event)
    if (Object.isExtensible(event)) Object.defineProperty(event, slot, { value: encoded })
    else frozen.set(event, encoded)
    return encoded
  }
}
