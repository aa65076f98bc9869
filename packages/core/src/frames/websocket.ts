import type { LogEvent } from '../event.js'
import type { ServerFrame } from '../wire.js'
import { cachedEncoder, eventJson } from './event-json.js'

/** WebSocket: one text frame of JSON per frame; the payload bytes are shared by every socket. */
export const wsEvent = cachedEncoder((event: LogEvent) => Buffer.from(`{"type":"event",${eventJson(event).slice(1)}`))

export function wsFrame(frame: Exclude<ServerFrame, { type: 'event' }>): Buffer {
  return Buffer.from(JSON.stringify(frame))
}
