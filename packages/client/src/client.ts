import type { ChannelData, ChannelSchemas } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import { Emitter } from './emitter.js'
import { ClientErrorCode, clientError, responseError } from './errors.js'
import { below, ladderOf, startOn } from './ladder.js'
import { defaultStorage, FailureMemory } from './memory.js'
import { type Negotiated, negotiate } from './negotiate.js'
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js'
import type { FailureReason, TransportReason } from './reasons.js'
import { type Hub, Subscription, type SubscriptionState } from './subscription.js'
import type { WebSocketCtor } from './transports/types.js'
import type { PushlineError } from '@pushline/core'

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
  publish<K extends string>(channel: K, data: ChannelData<C, K>): Promise<{ cursor: string }>
  /** The transport in use (or being tried) now; null before negotiation. */
  readonly transport: TransportName | null
  readonly state: ClientState
  on<E extends keyof ClientEvents>(event: E, listener: (value: ClientEvents[E]) => void): () => void
  /** Stops everything: no timer, socket or request is left behind. */
  close(): void
}

/**
 * The client: one negotiation and one transport choice shared by its subscriptions; each subscription has its own
 * connection (HTTP transports carry one cursor per request, so sharing would couple their positions) and its own
 * cursor. A failure seen by any subscription moves them all.
 */
class Client implements Hub {
  readonly options: ResolvedOptions
  readonly events = new Emitter<ClientEvents>()
  readonly memory: FailureMemory
  current: TransportName | null = null
  holdMs = 0
  upgradeBusy = false
  private info: Promise<Negotiated> | undefined
  private ladder: TransportName[] = []
  private readonly subs = new Set<Subscription>()
  private readonly aborts = new Set<AbortController>()
  private wsCtor: Promise<WebSocketCtor> | undefined
  private closed = false
  private lastState: ClientState = 'idle'

  constructor(private readonly raw: ClientOptions) {
    this.options = resolveOptions(raw)
    const key = `pushline:${new URL(this.options.base).origin}${new URL(this.options.base).pathname}`
    this.memory = new FailureMemory(raw.storage ?? defaultStorage(), key, this.options.failureTtlMs)
  }

  get state(): ClientState {
    return this.lastState
  }

  /** Negotiates once; a failure is not cached, so the next caller tries again. */
  ready(): Promise<Negotiated> {
    if (this.closed) return Promise.reject(clientError(ClientErrorCode.Closed, 'client closed'))
    this.info ??= this.track((signal) => negotiate(this.options.base, this.options.fetch, signal)).then(
      (info) => {
        this.ladder = ladderOf(info.transports, this.options.transports)
        this.holdMs ||= info.holdMs
        if (this.current === null) {
          const failures = this.memory.read()
          const name = startOn(this.ladder, failures)
          if (name) this.move(name, this.ladder[0] === name ? 'negotiated' : 'remembered')
        }
        return info
      },
      (error: unknown) => {
        this.info = undefined
        throw error
      },
    )
    return this.info
  }

  /** Is the server itself answering? Used before blaming a transport for a failed connect. */
  async reachable(): Promise<boolean> {
    try {
      await this.track((signal) => negotiate(this.options.base, this.options.fetch, signal))
      return true
    } catch {
      return false
    }
  }

  ladderNow(): readonly TransportName[] {
    return this.ladder
  }

  webSocket(): Promise<WebSocketCtor> {
    this.wsCtor ??= resolveWebSocket(this.raw.WebSocket)
    return this.wsCtor
  }

  /** `name` failed here: remember it and, if it is the current choice, move down. Returns where to go (undefined: stay). */
  fail(name: TransportName, reason: FailureReason): TransportName | undefined {
    this.memory.remember(name, reason)
    if (this.current !== name) return this.current ?? undefined
    const next = below(this.ladder, name, this.memory.read())
    if (next) this.move(next, reason)
    return next
  }

  /** `name` proved itself while the client was on a worse transport: forget its failure and move up. */
  upgraded(name: TransportName): void {
    this.memory.forget(name)
    if (this.current !== name) this.move(name, 'upgrade')
  }

  /** Shorter long-poll holds after polls were cut while idle: hold < proxy idle timeout. */
  learnHold(quietMs: number): void {
    this.holdMs = Math.max(500, Math.floor(quietMs * 0.75))
  }

  report(error: PushlineError): void {
    this.events.emit('error', error)
  }

  stateChanged(): void {
    const states = [...this.subs].map((sub) => sub.state)
    const next: ClientState = this.closed
      ? 'closed'
      : states.length === 0
        ? 'idle'
        : states.includes('reconnecting')
          ? 'reconnecting'
          : states.includes('connecting')
            ? 'connecting'
            : 'connected'
    if (next === this.lastState) return
    this.lastState = next
    this.events.emit('state', { state: next })
  }

  track<T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs = this.options.publishTimeoutMs): Promise<T> {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    this.aborts.add(abort)
    return run(abort.signal).finally(() => {
      clearTimeout(timer)
      this.aborts.delete(abort)
    })
  }

  subscribe(channels: readonly string[], options: SubscribeOptions<undefined, string>): SubscriptionHandle {
    if (this.closed) throw clientError(ClientErrorCode.Closed, 'client closed')
    const sub = new Subscription(this, channels, options, () => {
      this.subs.delete(sub)
      this.stateChanged()
    })
    this.subs.add(sub)
    sub.start()
    this.stateChanged()
    return {
      unsubscribe: () => sub.stop(),
      get cursor() {
        return sub.position
      },
    }
  }

  async publish(channel: string, data: unknown): Promise<{ cursor: string }> {
    if (this.closed) throw clientError(ClientErrorCode.Closed, 'client closed')
    const info = await this.ready()
    for (const sub of this.subs) {
      const viaSocket = sub.publishVia(channel, data, this.options.publishTimeoutMs)
      if (viaSocket) return viaSocket
    }
    let res: Response
    try {
      res = await this.track((signal) =>
        this.options.fetch(info.endpoints.publish, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel, data }),
          signal,
        }),
      )
    } catch (cause) {
      if (this.closed) throw clientError(ClientErrorCode.Closed, 'client closed during publish', cause)
      const timedOut = (cause as { name?: string }).name === 'AbortError'
      throw timedOut
        ? clientError(ClientErrorCode.Timeout, `publish got no answer within ${this.options.publishTimeoutMs} ms`, cause)
        : clientError(ClientErrorCode.Network, 'publish failed: server unreachable', cause)
    }
    if (!res.ok) throw await responseError(res)
    return (await res.json()) as { cursor: string }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const sub of [...this.subs]) sub.stop()
    for (const abort of this.aborts) abort.abort()
    this.aborts.clear()
    this.stateChanged()
    this.events.clear()
  }

  isClosed(): boolean {
    return this.closed
  }

  private move(name: TransportName, reason: TransportReason): void {
    const previous = this.current
    this.current = name
    this.events.emit('transport', { name, previous, reason })
    for (const sub of this.subs) sub.follow()
  }

  subscriptionState(_state: SubscriptionState): void {
    this.stateChanged()
  }
}

async function resolveWebSocket(given: WebSocketCtor | undefined): Promise<WebSocketCtor> {
  const global = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket
  if (given ?? global) return (given ?? global)!
  // Node 20 has no WebSocket: use `ws` if the app installed it. A variable specifier keeps bundlers from pulling it in.
  const specifier = 'ws'
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as { WebSocket?: WebSocketCtor; default?: WebSocketCtor }
    const ctor = mod.WebSocket ?? mod.default
    if (ctor) return ctor
  } catch (cause) {
    throw clientError(ClientErrorCode.NoWebSocket, 'no WebSocket: install `ws` or pass the WebSocket option', cause)
  }
  throw clientError(ClientErrorCode.NoWebSocket, 'no WebSocket: install `ws` or pass the WebSocket option')
}

export function createClient<C extends ChannelSchemas | undefined = undefined>(options: ClientOptions): PushlineClient<C> {
  const client = new Client(options)
  return {
    subscribe: (channels, subscribeOptions) =>
      client.subscribe(channels, subscribeOptions as unknown as SubscribeOptions<undefined, string>),
    publish: (channel, data) => client.publish(channel, data),
    get transport() {
      return client.current
    },
    get state() {
      return client.state
    },
    on: (event, listener) => client.events.on(event, listener),
    close: () => client.close(),
  }
}
