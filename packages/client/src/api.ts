import type { ChannelData, ChannelName, ChannelSchemas, PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import type { TransportReason } from './reasons.js'

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'

/** Emitted when the client settles on a transport and on every later change, with why. `previous` is null at first. */
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
  /** Resume after this cursor (e.g. the last one your app stored); omitted = from now (the server's head, one round trip away). */
  readonly cursor?: string
  readonly onEvent: (event: ClientEvent<C, K>) => void
  /** The cursor was too old or from another history of the log: events in between are gone; continue from `cursor`. */
  readonly onReset?: (reset: ResetInfo) => void
  /** A final error for this subscription (e.g. a channel the server refuses); it stops. */
  readonly onError?: (error: PushlineError) => void
}

export interface SubscriptionHandle {
  unsubscribe(): void
  /** Where the subscription is: the cursor of the last event delivered or vouched for (undefined until positioned). */
  readonly cursor: string | undefined
  /**
   * Resolves once the subscription is positioned, with its start cursor: every event published after that point
   * reaches `onEvent`, exactly once, in order, whatever transport ends up carrying it. Never rejects (an error goes
   * to `onError`); stays pending if the subscription stops first.
   */
  readonly ready: Promise<{ readonly cursor: string }>
}

export interface PushlineClient<C extends ChannelSchemas | undefined = undefined> {
  /**
   * Adds a subscription to the client's one connection (the union of every subscription's channels). With a channel
   * declaration (`createClient<typeof channels>`), only declared names compile (`'room/42'` for a `'room/*'` key).
   */
  subscribe<K extends ChannelName<C>>(channels: readonly K[], options: SubscribeOptions<C, K>): SubscriptionHandle
  /**
   * Over the WebSocket (acked) when that is the transport, else `POST publish`; rejects with a coded PushlineError,
   * RT_ERR_CLIENT_DATA_INVALID before anything is sent when JSON cannot carry `data` faithfully.
   */
  publish<K extends ChannelName<C>>(channel: K, data: ChannelData<C, K>): Promise<{ cursor: string }>
  /** The transport the client settled on; null until it has. */
  readonly transport: TransportName | null
  readonly state: ClientState
  on<E extends keyof ClientEvents>(event: E, listener: (value: ClientEvents[E]) => void): () => void
  /** Stops everything: no timer, socket, handshake or request is left behind. */
  close(): void
}
