import { type ErrorDeclaration, ErrorKind, type PushlineError } from '@pushline/core'

export { ErrorKind }

const kind = (declaration: ErrorDeclaration): ErrorKind => new ErrorKind(declaration)

/** Every error @pushline/server raises, in the order of docs/errors.md (a test keeps the two the same). */
export const ServerErrors = {
  RequestInvalid: kind({
    code: 'RT_ERR_REQUEST_INVALID',
    status: 400,
    http: 'answer',
    ws: 4400,
    message: 'bad request',
    meaning: 'malformed request (shape, parameters)',
  }),
  RequestJson: kind({
    code: 'RT_ERR_REQUEST_JSON',
    status: 400,
    http: 'answer',
    ws: 'none',
    message: 'the body is not valid JSON',
    meaning: 'body is not valid JSON',
  }),
  RequestContentType: kind({
    code: 'RT_ERR_REQUEST_CONTENT_TYPE',
    status: 415,
    http: 'answer',
    ws: 'none',
    message: 'the body must be application/json',
    meaning: 'publish body is not `application/json`',
  }),
  RequestNotFound: kind({
    code: 'RT_ERR_REQUEST_NOT_FOUND',
    status: 404,
    http: 'answer',
    ws: 'none',
    message: 'no pushline endpoint here',
    meaning: 'no endpoint at this path',
  }),
  RequestMethod: kind({
    code: 'RT_ERR_REQUEST_METHOD',
    status: 405,
    http: 'answer',
    ws: 'none',
    message: 'method not allowed',
    meaning: 'method not allowed on this endpoint',
  }),
  RequestUpgrade: kind({
    code: 'RT_ERR_REQUEST_UPGRADE',
    status: 426,
    http: 'answer',
    ws: 'none',
    message: 'this endpoint needs a WebSocket upgrade',
    meaning: '`/ws` requested without a WebSocket upgrade',
  }),
  ChannelUndeclared: kind({
    code: 'RT_ERR_CHANNEL_UNDECLARED',
    status: 400,
    http: 'answer',
    ws: 4400,
    message: 'channel is not declared',
    meaning: 'channel not covered by the declarations while `strictChannels` is on',
  }),
  ChannelTooMany: kind({
    code: 'RT_ERR_CHANNEL_TOO_MANY',
    status: 400,
    http: 'answer',
    ws: 4400,
    message: 'too many channels',
    meaning: 'more channels than `limits.maxChannels` in one subscription',
  }),
  AuthUnauthenticated: kind({
    code: 'RT_ERR_AUTH_UNAUTHENTICATED',
    status: 401,
    http: 'answer',
    ws: 4401,
    message: 'not authenticated',
    meaning: '`authenticate` found no identity (no or a bad token, or the hook failed); hooks may throw it too',
  }),
  AuthExpired: kind({
    code: 'RT_ERR_AUTH_EXPIRED',
    status: 401,
    http: 'answer',
    ws: 4401,
    message: 'the credentials have expired',
    meaning: "the identity's `expiresAt` has passed: refused, or the connection ended then (close / error frame); get a fresh token and resume",
  }),
  AuthRevoked: kind({
    code: 'RT_ERR_AUTH_REVOKED',
    status: 401,
    http: 'answer',
    ws: 4401,
    message: 'the connection was ended by the server',
    meaning: '`app.pushline.disconnect(...)` ended the connection (close / error frame, held poll answered 401)',
  }),
  AuthForbidden: kind({
    code: 'RT_ERR_AUTH_FORBIDDEN',
    status: 403,
    http: 'answer',
    ws: 4403,
    message: 'not allowed',
    meaning: '`authorize` denied the subscribe or publish; `error.channels` names the refused channels',
  }),
  OriginForbidden: kind({
    code: 'RT_ERR_ORIGIN_FORBIDDEN',
    status: 403,
    http: 'answer',
    ws: 'before-upgrade',
    message: 'origin not allowed',
    meaning: '`Origin` not in `allowedOrigins`',
  }),
  LimitConnections: kind({
    code: 'RT_ERR_LIMIT_CONNECTIONS',
    status: 429,
    http: 'retry',
    ws: 'before-upgrade',
    message: 'the server has reached its connection limit',
    meaning: "the instance's connection limit is reached",
  }),
  LimitClientConnections: kind({
    code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS',
    status: 429,
    http: 'retry',
    ws: 'before-upgrade',
    message: 'too many connections from this client',
    meaning: 'the per-client connection limit is reached',
  }),
  LimitPublishRate: kind({
    code: 'RT_ERR_LIMIT_PUBLISH_RATE',
    status: 429,
    http: 'retry',
    ws: 'error-frame',
    message: 'too many publishes',
    meaning: 'the per-client publish rate is exceeded',
  }),
  LimitSubscribeRate: kind({
    code: 'RT_ERR_LIMIT_SUBSCRIBE_RATE',
    status: 429,
    http: 'none',
    ws: 4429,
    message: 'too many subscribe messages',
    meaning: 'a flood of subscribe messages on one WebSocket',
  }),
  StreamSlowConsumer: kind({
    code: 'RT_ERR_STREAM_SLOW_CONSUMER',
    status: 503,
    http: 'close-frame',
    ws: 4408,
    message: 'slow consumer: reconnect and resume',
    meaning: 'dropped: pending bytes over `limits.maxBufferedBytes`; reconnect and resume from the cursor',
  }),
  StreamShutdown: kind({
    code: 'RT_ERR_STREAM_SHUTDOWN',
    status: 503,
    http: 'close-frame',
    ws: 1012,
    message: 'server shutting down: reconnect and resume',
    meaning: 'the server is shutting down; reconnect (elsewhere) and resume',
  }),
  StreamLogFailed: kind({
    code: 'RT_ERR_STREAM_LOG_FAILED',
    status: 503,
    http: 'close-frame',
    ws: 1011,
    message: 'the event log failed: reconnect and resume',
    meaning: 'the log failed under a stream; reconnect and resume',
  }),
  WsMessageInvalid: kind({
    code: 'RT_ERR_WS_MESSAGE_INVALID',
    status: 400,
    http: 'none',
    ws: 4400,
    message: 'invalid message',
    meaning: 'WebSocket message not JSON, binary, or of an unknown type',
  }),
  ServerClosing: kind({
    code: 'RT_ERR_SERVER_CLOSING',
    status: 503,
    http: 'answer',
    ws: 'before-upgrade',
    message: 'the server is shutting down: retry elsewhere',
    meaning: 'a new subscription or publish arrived while shutting down',
  }),
  ServerInternal: kind({
    code: 'RT_ERR_SERVER_INTERNAL',
    status: 500,
    http: 'answer',
    ws: 1011,
    message: 'internal server error',
    meaning: 'an unexpected failure (a bug): logged with its cause',
  }),
} as const satisfies Record<string, ErrorKind>

type ServerErrorName = keyof typeof ServerErrors

/** The codes raised by @pushline/server, in addition to core's (derived from `ServerErrors`). */
export const ServerErrorCode = Object.fromEntries(
  Object.entries(ServerErrors).map(([name, declared]) => [name, declared.code]),
) as { readonly [Name in ServerErrorName]: (typeof ServerErrors)[Name]['code'] }
export type ServerErrorCode = (typeof ServerErrorCode)[ServerErrorName]

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

const BY_CODE = new Map<string, ErrorKind>(Object.values(ServerErrors).map((declared) => [declared.code, declared]))

/** The declared close code of `error`, else one by its status (codes of core and of `authorize` hooks). */
export function wsCloseCodeFor(error: PushlineError): number {
  const declared = BY_CODE.get(error.code)?.ws
  if (typeof declared === 'number') return declared
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

/** A 400 of `kind` (RT_ERR_REQUEST_INVALID unless told). */
export function badRequest(message: string, kind: ErrorKind = ServerErrors.RequestInvalid): PushlineError {
  return kind.create(message)
}

/** A refusal the client may retry after `retryAfterSec` (answered with 429 and `Retry-After`). */
export function tooMany(kind: ErrorKind, message: string, retryAfterSec: number): PushlineError {
  return kind.create(message, { details: { retryAfterSec: Math.max(1, Math.ceil(retryAfterSec)) } })
}

export function retryAfterOf(error: PushlineError): number | undefined {
  const value = error.details?.retryAfterSec
  return typeof value === 'number' ? value : undefined
}
