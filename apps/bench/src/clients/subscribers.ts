import type { SystemName } from '../systems.js'
import { pushlineNdjson, pushlineSse, pushlineWebSocket } from './pushline-subscribers.js'
import { longpollPlain, nchanLongpoll, pushlineLongpoll, socketioPolling } from './poll-subscribers.js'
import {
  type Closer,
  nchanSse,
  nchanWebSocket,
  socketioWebSocket,
  sockjsXhrStreaming,
  ssePlain,
  wsPlain,
} from './stream-subscribers.js'
import type { Subscription } from './tracker.js'

export type Subscribe = (port: number, sub: Subscription) => Promise<Closer>

/** The lean load client of each system. */
export const SUBSCRIBERS: Record<SystemName, Subscribe> = {
  'pushline-websocket': pushlineWebSocket,
  'pushline-sse': pushlineSse,
  'pushline-ndjson': pushlineNdjson,
  'pushline-longpoll': pushlineLongpoll,
  'socketio-websocket': socketioWebSocket,
  'socketio-polling': socketioPolling,
  'sockjs-xhr-streaming': sockjsXhrStreaming,
  'ws-plain': wsPlain,
  'ws-coalesced': wsPlain,
  'sse-plain': ssePlain,
  'longpoll-plain': longpollPlain,
  'nchan-websocket': nchanWebSocket,
  'nchan-sse': nchanSse,
  'nchan-longpoll': nchanLongpoll,
}
