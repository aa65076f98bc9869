import type { LogEvent } from '../event.js'
import type { ServerFrame } from '../wire.js'
import { cachedEncoder, eventJson } from './event-json.js'

/** NDJSON: one JSON object per line, each with a `type`. */
export const ndjsonEvent = cachedEncoder((event: LogEvent) =>
  Buffer.from(`{"type":"event",${eventJson(event).slice(1)}\n`),
)

export function ndjsonFrame(frame: Exclude<ServerFrame, { type: 'event' }>): Buffer {
  return Buffer.from(`${JSON.stringify(frame)}\n`)
}

export const NDJSON_HEARTBEAT: Buffer = Buffer.from('{"type":"heartbeat"}\n')
