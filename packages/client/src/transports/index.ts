import type { TransportName } from '@pushline/core/wire'
import { longpoll } from './longpoll.js'
import { ndjson } from './ndjson.js'
import { sse } from './sse.js'
import type { ClientTransport } from './types.js'
import { websocket } from './websocket.js'

/** Every transport the client speaks, by protocol name; the negotiation picks from here, never by if/else. */
export const transports: Readonly<Record<TransportName, ClientTransport>> = { websocket, sse, ndjson, longpoll }
