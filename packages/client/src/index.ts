export { backoffDelay, type BackoffOptions } from './backoff.js'
export {
  type ClientEvent,
  type ClientEvents,
  type ClientState,
  createClient,
  type PushlineClient,
  type ResetInfo,
  type SubscribeOptions,
  type SubscriptionHandle,
  type TransportChange,
} from './client.js'
export { ClientErrorCode } from './errors.js'
export type { StorageLike } from './memory.js'
export type { ClientOptions } from './options.js'
export type { FailureReason, TransportReason } from './reasons.js'
export type { ClientTransport, TransportContext, TransportHandlers, WebSocketCtor, WebSocketLike } from './transports/types.js'
export { PushlineError } from '@pushline/core'
export type { TransportName } from '@pushline/core/wire'
