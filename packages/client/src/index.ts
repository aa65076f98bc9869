export type {
  ClientEvent,
  ClientEvents,
  ClientState,
  PushlineClient,
  ResetInfo,
  SubscribeOptions,
  SubscriptionHandle,
  TransportChange,
} from './api.js'
export { type BackoffOptions, backoffDelay } from './backoff.js'
export { createClient } from './client.js'
export { ClientErrorCode } from './errors.js'
export type { StorageLike } from './memory.js'
export type { ClientOptions } from './options.js'
export type { FailureReason, TransportReason } from './reasons.js'
export type { ClientTransport, TransportContext, TransportHandlers, WebSocketCtor, WebSocketLike } from './transports/types.js'
export { PushlineError } from '@pushline/core'
export type { TransportName } from '@pushline/core/wire'
