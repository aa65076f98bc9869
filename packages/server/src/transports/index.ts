import type { TransportName } from '@pushline/core'
import { longpollTransport } from './longpoll.js'
import { ndjsonTransport } from './ndjson.js'
import { sseTransport } from './sse.js'
import type { ServerTransport } from './types.js'
import { websocketTransport } from './websocket.js'

/** Every transport the server can serve, by name; `transports` in the options picks and orders them. */
export const TRANSPORTS: Readonly<Record<TransportName, ServerTransport>> = {
  websocket: websocketTransport,
  sse: sseTransport,
  ndjson: ndjsonTransport,
  longpoll: longpollTransport,
}

export type { ServerTransport, TransportContext } from './types.js'
