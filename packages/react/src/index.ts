export { ReactErrorCode } from './errors.js'
export { type AnyPushlineClient, PushlineProvider, type PushlineProviderProps, usePushlineClient } from './provider.js'
export type { Register, RegisteredChannels } from './register.js'
export { type SubscriptionState, type UseSubscriptionOptions, useSubscription } from './use-subscription.js'
