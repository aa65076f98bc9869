import type { ClientMessage, LogEvent, LongpollFormat } from '@pushline/core/wire'

/** A WebSocket class: the browser's, `ws`'s, or any with the same constructor and event handler properties. */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onerror: ((event: unknown) => void) | null
  onclose: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocketLike

/**
 * What a transport hands the connection, validated (frames.ts) and normalized across transports. `hello` always
 * means "the stream for these channels starts right after `cursor`" (on the WebSocket: the `subscribed` answer);
 * `position` (long-poll) moves the position without an event. (The client takes a cursorless subscription's
 * position from `/negotiate`, so it does not need the `Pushline-Cursor` header other clients may read.)
 */
export type Incoming =
  | ({ readonly type: 'event' } & LogEvent)
  | { readonly type: 'hello'; readonly cursor: string; readonly roundTrip?: boolean; readonly time?: unknown }
  | { readonly type: 'subscribed' | 'position'; readonly cursor: string }
  /** `time` (hello too): the server's clock when it wrote the frame (extension), to tell a stream that lags. */
  | { readonly type: 'heartbeat'; readonly time?: unknown }
  | { readonly type: 'close'; readonly reason: string; readonly code?: string | undefined }
  | { readonly type: 'reset'; readonly reason: 'expired' | 'epoch'; readonly cursor: string }
  | { readonly type: 'ack'; readonly id: string; readonly cursor: string }
  | {
      readonly type: 'error'
      readonly id?: string | undefined
      /** `channels` (extension): the channels a refusal names, when it names some. */
      readonly error: { readonly code: string; readonly message: string; readonly channels?: unknown }
    }

export interface TransportHandlers {
  /** Response headers arrived (HTTP) or the socket opened (WebSocket). */
  open(): void
  frame(frame: Incoming): void
  /** Called once, when the connection is over for any reason other than `close()`. */
  end(info: EndInfo): void
}

export interface EndInfo {
  /** HTTP status when the endpoint answered with an error. */
  readonly status?: number
  /** The server closed the stream on purpose (a `close` frame) or a poll cycle finished normally. */
  readonly byServer?: boolean
  /** A fatal answer (400/401/403 with a coded body): retrying cannot help. */
  readonly error?: Error
  /** The server sent something that is not protocol 1 (a malformed frame or body): reported, then reconnected. */
  readonly malformed?: string
  /** The `code` of the server's `close` frame (e.g. `RT_ERR_AUTH_EXPIRED`), or of the WebSocket `error` that ended it. */
  readonly code?: string | undefined
}

export interface TransportContext {
  /** Absolute URL of this transport's endpoint. */
  readonly url: string
  readonly channels: readonly string[]
  /** Where a (re)connection or the next poll starts: the position this connection's stream has reached. */
  position(): string | undefined
  /** Long-poll hold asked of the server (below any proxy idle timeout seen). */
  readonly holdMs: number
  /** The answer format polls ask for (one the server listed in /negotiate); none: protocol 1's body. */
  readonly pollFormat?: LongpollFormat | undefined
  readonly fetch: typeof fetch
  readonly WebSocket: () => Promise<WebSocketCtor>
  /** The credential of this connection: `Authorization` on HTTP, the first message on the WebSocket. */
  readonly token: string | undefined
}

export interface TransportSession {
  /** Stops everything this session started, a connection still being set up included; no handler runs afterwards. */
  close(): void
  /** Publish over this connection when the transport can (WebSocket); undefined when it cannot right now. */
  publish?(channel: string, data: unknown): Promise<{ cursor: string }> | undefined
  /** Replace the subscription on this connection (WebSocket `subscribe`); false when it cannot right now. */
  resubscribe?(channels: readonly string[], cursor: string | undefined): boolean
}

export type ClientTransport = (ctx: TransportContext, handlers: TransportHandlers) => TransportSession

export type { ClientMessage, LogEvent }
