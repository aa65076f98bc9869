import type { LogEvent } from '../event.js'

// The JSON of each event is made once and shared by every format and every subscriber that receives it.
const cache = new WeakMap<LogEvent, string>()

/** `{"channel":...,"cursor":...,"data":...}` for `event`, cached per event object. */
export function eventJson(event: LogEvent): string {
  let json = cache.get(event)
  if (json === undefined) {
    json = JSON.stringify({ channel: event.channel, cursor: event.cursor, data: event.data })
    cache.set(event, json)
  }
  return json
}

/** Builds an event whose JSON is already known (the log serialized its data on append) and caches that JSON. */
export function createEvent<T>(channel: string, cursor: string, data: T, dataJson: string): LogEvent<T> {
  const event: LogEvent<T> = { channel, cursor, data }
  cache.set(event, `{"channel":${JSON.stringify(channel)},"cursor":"${cursor}","data":${dataJson}}`)
  return event
}

/** A per-format cache of encoded bytes, keyed by event object: one encoding per event per format. */
export function cachedEncoder(encode: (event: LogEvent) => Buffer): (event: LogEvent) => Buffer {
  const bytes = new WeakMap<LogEvent, Buffer>()
  return (event) => {
    let encoded = bytes.get(event)
    if (encoded === undefined) {
      encoded = encode(event)
      bytes.set(event, encoded)
    }
    return encoded
  }
}
