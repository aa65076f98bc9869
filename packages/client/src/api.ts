import type { ChannelData, ChannelSchemas, PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import type { TransportReason } from './reasons.js'

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'

/** Emitted on every change of transport, with why. `previous` is null for the first choice. */
export interface TransportChange {
  readonly name: TransportName
  readonly previous: TransportName | null
  readonly reason: TransportReason
}

export interface ClientEvents {
  transport: TransportChange
  state: { readonly state: ClientState }
  error: PushlineError
}

/** An event as the application gets it; `data` is typed by the channel declarations given to `createClient`. */
export type ClientEvent<C extends ChannelSchemas | undefined, K extends string> = K extends string
  ? { readonly channel: K; readonly cursor: string; readonly data: ChannelData<C, K> }
  : never

export interface ResetInfo {
  readonly reason: 'expired' | 'epoch'
  /** Where the subscription continues from. */
  readonly cursor: string
}

export interface SubscribeOptions<C extends ChannelSchemas | undefined, K extends string> {
  /** Resume after this cursor (e.g. the last one your app stored); omitted = from now. */
  readonly cursor?: string
  readonly onEvent: (event: ClientEvent<C, K>) => void
  /** The cursor was too old or from another history of the log: events in between are gone; continue from `cursor`. */
  readonly onReset?: (reset: ResetInfo) => void
  /** A final error for this subscription (e.g. a channel the server refuses); it stops. */
  readonly onError?: (error: PushlineError) => void
}

export interface SubscriptionHandle {
  unsubscribe(): void
  /** The last cursor the application saw (or the position the subscription started from). */
  readonly cursor: string | undefined
}

export interface PushlineClient<C extends ChannelSchemas | undefined = undefined> {
  subscribe<K extends string>(channels: readonly K[], options: SubscribeOptions<C, K>): SubscriptionHandle
  /** Over the WebSocket (acked) when that is the transport, else `POST publish`; rejects with a coded PushlineError. */
  publish<K extends string>(channel: K, data: ChannelData<C, K>): Promise<{ cursor: string }>
  /** The transport in use (or being tried) now; null before negotiation. */
  readonly transport: TransportName | null
  readonly state: ClientState
  on<E extends keyof ClientEvents>(event: E, listener: (value: ClientEvents[E]) => void): () => void
  /** Stops everything: no timer, socket or request is left behind. */
  close(): void
}
