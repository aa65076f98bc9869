export { ServerErrorCode, ServerErrors, WsCloseCode } from './errors.js'
export type { PushlineMetrics, TransportCounters } from './metrics.js'
export type { FallbackReason } from './observability/fallbacks.js'
export type {
  Authenticate,
  AuthenticateTransport,
  Authorize,
  AuthorizeAction,
  PushlineCredentials,
  OriginCheck,
  PushlineLimits,
  PushlineMetricsOptions,
  PushlineOptions,
} from './options.js'
export { type PushlineDecorator, pushline, pushline as default } from './plugin.js'
export type { PushlineSpan, PushlineTracer } from './observability/tracing.js'
export type { Identity, IdentityFields, Register, RegisteredChannels, RegisteredIdentity } from './register.js'
export { TRANSPORTS } from './transports/index.js'
export type { ServerTransport, TransportContext } from './transports/types.js'
