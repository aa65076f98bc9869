/**
 * Protocol 1 as types: the frames every transport carries, and the names of the transports. Importing this entry
 * (`@pushline/core/wire`) pulls no runtime dependency, so the browser client stays small.
 */
import type { LogEvent, Reset } from './event.js'

export const PROTOCOL_VERSION = 1

export const TRANSPORT_NAMES = ['websocket', 'sse', 'ndjson', 'longpoll'] as const
export type TransportName = (typeof TRANSPORT_NAMES)[number]

/** `GET <prefix>/negotiate`. Extra fields may be added; clients ignore what they do not know. */
export interface NegotiateResponse {
  readonly protocol: number
  readonly transports: readonly TransportName[]
  readonly endpoints: Readonly<Record<TransportName | 'publish', string>>
  readonly holdMs: number
  readonly heartbeatMs: number
  /** *(extension)* The log head when the answer was made: a subscription "from now" may start after it. */
  readonly cursor?: string
  /** *(extension)* The limits a client must respect. */
  readonly limits?: { readonly maxChannels: number }
  /**
   * *(extension)* Long-poll answer formats besides protocol 1's, asked for with `format=<name>` on the poll:
   * `compact` (see `longpollCompactBatch`) and `runs` (see `longpollRunsBatch`). A server that does not list one
   * answers protocol 1's body.
   */
  readonly longpollFormats?: readonly LongpollFormat[]
}

/** *(extension)* The long-poll answer formats a poll may ask for with `format=`. */
export const LONGPOLL_FORMATS = ['compact', 'runs'] as const
export type LongpollFormat = (typeof LONGPOLL_FORMATS)[number]

/**
 * *(extension)* Response header of every stream and long-poll answer: the position the response starts after (a
 * stream's `hello` cursor; a poll's batch, reset or unchanged cursor). Headers pass a buffering proxy; bodies may not.
 */
export const CURSOR_HEADER = 'Pushline-Cursor'

/** First frame of every stream: the position the stream starts after, so that nothing published meanwhile is missed. */
export interface HelloFrame {
  readonly type: 'hello'
  readonly protocol: number
  readonly cursor: string
  readonly heartbeatMs: number
  readonly [extra: string]: unknown
}
export interface EventFrame extends LogEvent {
  readonly type: 'event'
}
export interface HeartbeatFrame {
  readonly type: 'heartbeat'
  /**
   * The server's clock (ms since the epoch) when it wrote the frame (extension; SSE and NDJSON, like `hello`): a
   * client compares arrivals with it to tell a proxy that holds each write until the next one.
   */
  readonly time?: number
}
export type ResetFrame = Reset
export interface SubscribedFrame {
  readonly type: 'subscribed'
  readonly channels: readonly string[]
  readonly cursor: string
}
export interface AckFrame {
  readonly type: 'ack'
  readonly id: string
  readonly cursor: string
}
export interface WireError {
  readonly code: string
  readonly message: string
  /** *(extension)* On a refusal of several channels (403 RT_ERR_AUTH_FORBIDDEN): the ones refused. */
  readonly channels?: readonly string[]
}
export interface ErrorFrame {
  readonly type: 'error'
  readonly id?: string
  readonly error: WireError
}
/** Sent on a stream just before the server closes it on purpose (shutdown, slow consumer): reconnect and resume. */
export interface CloseFrame {
  readonly type: 'close'
  readonly reason: string
  readonly code?: string
}

export type ServerFrame =
  | HelloFrame
  | EventFrame
  | HeartbeatFrame
  | ResetFrame
  | SubscribedFrame
  | AckFrame
  | ErrorFrame
  | CloseFrame

/** WebSocket client -> server. */
export interface SubscribeMessage {
  readonly type: 'subscribe'
  readonly channels: readonly string[]
  readonly cursor?: string
}
export interface PublishMessage {
  readonly type: 'publish'
  readonly id: string
  readonly channel: string
  readonly data: unknown
}
export type ClientMessage = SubscribeMessage | PublishMessage

/** Long-poll 200 body. */
export interface PollBatch {
  readonly events: readonly LogEvent[]
  readonly cursor: string
}

export type { LogEvent, Reset, ResetReason } from './event.js'
