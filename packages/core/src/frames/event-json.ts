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
    [JSON_OF]: `{"channel":"${channel}","cursor":"${cursor}","data":${dataJson}}`,
  }
  return event
}

/**
 * A per-format cache of encoded bytes, keyed by event object: one encoding per event per format. Generic over the
 * byte type so that this file names no Node global (the browser entry re-exports it).
 */
export function cachedEncoder<Bytes>(encode: (event: LogEvent) => Bytes): (event: LogEvent) => Bytes {
  const bytes = new WeakMap<LogEvent, Bytes>()
  return (event) => {
    let encoded = bytes.get(event)
    if (encoded === undefined) {
      encoded = encode(event)
      bytes.set(event, encoded)
    }
    return encoded
  }
}
