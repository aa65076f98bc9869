import { PushlineError } from '@pushline/core'

/**
 * The codes raised by @pushline/server, in addition to core's. Each maps to one HTTP status and, on a WebSocket,
 * to one close code (see `wsCloseCodeFor`). Documented in docs/protocol.md.
 */
export const ServerErrorCode = {
  RequestInvalid: 'RT_ERR_REQUEST_INVALID',
  RequestJson: 'RT_ERR_REQUEST_JSON',
  RequestContentType: 'RT_ERR_REQUEST_CONTENT_TYPE',
  RequestNotFound: 'RT_ERR_REQUEST_NOT_FOUND',
  RequestMethod: 'RT_ERR_REQUEST_METHOD',
  RequestUpgrade: 'RT_ERR_REQUEST_UPGRADE',
  ChannelUndeclared: 'RT_ERR_CHANNEL_UNDECLARED',
  ChannelTooMany: 'RT_ERR_CHANNEL_TOO_MANY',
  AuthUnauthenticated: 'RT_ERR_AUTH_UNAUTHENTICATED',
  AuthForbidden: 'RT_ERR_AUTH_FORBIDDEN',
  OriginForbidden: 'RT_ERR_ORIGIN_FORBIDDEN',
  LimitConnections: 'RT_ERR_LIMIT_CONNECTIONS',
  LimitClientConnections: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS',
  LimitPublishRate: 'RT_ERR_LIMIT_PUBLISH_RATE',
  LimitSubscribeRate: 'RT_ERR_LIMIT_SUBSCRIBE_RATE',
  StreamSlowConsumer: 'RT_ERR_STREAM_SLOW_CONSUMER',
  StreamShutdown: 'RT_ERR_STREAM_SHUTDOWN',
  StreamLogFailed: 'RT_ERR_STREAM_LOG_FAILED',
  WsMessageInvalid: 'RT_ERR_WS_MESSAGE_INVALID',
  ServerInternal: 'RT_ERR_SERVER_INTERNAL',
  ServerClosing: 'RT_ERR_SERVER_CLOSING',
} as const
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode]

/** WebSocket close codes: 4000 + the HTTP status for refusals, standard codes for the rest. */
export const WsCloseCode = {
  BadInput: 4400,
  Unauthenticated: 4401,
  Forbidden: 4403,
  TooMany: 4429,
  SlowConsumer: 4408,
  LogFailed: 1011,
  Shutdown: 1012,
  Normal: 1000,
} as const

export function wsCloseCodeFor(error: PushlineError): number {
  switch (error.statusCode) {
    case 401:
      return WsCloseCode.Unauthenticated
    case 403:
      return WsCloseCode.Forbidden
    case 429:
      return WsCloseCode.TooMany
    default:
      return error.statusCode >= 400 && error.statusCode < 500 ? WsCloseCode.BadInput : WsCloseCode.LogFailed
  }
}

export function badRequest(message: string, code: string = ServerErrorCode.RequestInvalid): PushlineError {
  return new PushlineError(code, message, { statusCode: 400 })
}

/** A refusal the client may retry after `retryAfterSec` (answered with 429 and `Retry-After`). */
export function tooMany(code: string, message: string, retryAfterSec: number): PushlineError {
  return new PushlineError(code, message, { statusCode: 429, details: { retryAfterSec: Math.max(1, Math.ceil(retryAfterSec)) } })
}

export function retryAfterOf(error: PushlineError): number | undefined {
  const value = error.details?.retryAfterSec
  return typeof value === 'number' ? value : undefined
}
