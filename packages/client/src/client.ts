import type { ChannelSchemas, PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import type { ClientEvents, ClientState, PushlineClient, SubscribeOptions } from './api.js'
import { emitter } from './emitter.js'
import { ClientErrorCode, clientError, responseError } from './errors.js'
import { below, ladderOf, startOn } from './ladder.js'
import { defaultStorage, failureMemory } from './memory.js'
import { type Negotiated, negotiate } from './negotiate.js'
import { type ClientOptions, resolveOptions } from './options.js'
import type { TransportReason } from './reasons.js'
import { type Hub, type Subscription, subscription } from './subscription.js'
import { transports } from './transports/index.js'
import type { WebSocketCtor } from './transports/types.js'

/**
 * The client: one negotiation and one transport choice shared by its subscriptions; each subscription has its own
 * connection (HTTP transports carry one cursor per request, so sharing one would couple their positions) and its
 * own cursor. A failure seen by any subscription moves them all. A closure rather than a class so that minifiers
 * shorten every internal name (the 6 KB budget).
 */
export function createClient<C extends ChannelSchemas | undefined = undefined>(options: ClientOptions): PushlineClient<C> {
  const resolved = resolveOptions(options)
  const base = new URL(resolved.url)
  const memory = failureMemory(options.storage ?? defaultStorage(), `pushline:${base.origin}${base.pathname}`, resolved.failureTtlMs)
  const events = emitter<ClientEvents>()
  const subs = new Set<Subscription>()
  const aborts = new Set<AbortController>()
  let current: TransportName | null = null
  let ladder: TransportName[] = []
  let holdMs = 0
  let info: Promise<Negotiated> | undefined
  let wsCtor: Promise<WebSocketCtor> | undefined
  let closed = false
  let state: ClientState = 'idle'

  const closedError = () => clientError(ClientErrorCode.Closed, 'client closed')

  /** Runs a request that close() aborts, given up after `timeoutMs`. */
  const track = <T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs = resolved.publishTimeoutMs): Promise<T> => {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    aborts.add(abort)
    return run(abort.signal).finally(() => {
      clearTimeout(timer)
      aborts.delete(abort)
    })
  }

  const move = (name: TransportName, reason: TransportReason) => {
    const previous = current
    current = name
    events.emit('transport', { name, previous, reason })
    for (const sub of subs) sub.follow()
  }

  const changed = () => {
    const states = [...subs].map((sub) => sub.state)
    const next: ClientState = closed
      ? 'closed'
      : !states.length
        ? 'idle'
        : states.includes('reconnecting')
          ? 'reconnecting'
          : states.includes('connecting')
            ? 'connecting'
            : 'connected'
    if (next === state) return
    state = next
    events.emit('state', { state })
  }

  const fetchNegotiate = () => track((signal) => negotiate(resolved.url, resolved.fetch, signal, Object.keys(transports)), resolved.probeTimeoutMs * 2)

  /** Negotiates once; a failure is not kept, so the next caller tries again. */
  const ready = (): Promise<Negotiated> => {
    if (closed) return Promise.reject(closedError())
    info ??= fetchNegotiate().then(
      (negotiated) => {
        ladder = ladderOf(negotiated.transports, resolved.transports)
        holdMs ||= negotiated.holdMs
        const name = current ?? startOn(ladder, memory.read())
        if (!current && name) move(name, ladder[0] === name ? 'negotiated' : 'remembered')
        return negotiated
      },
      (error: unknown) => {
        info = undefined
        throw error
      },
    )
    return info
  }

  const hub: Hub = {
    options: resolved,
    current: () => current,
    ladder: () => ladder,
    holdMs: () => holdMs,
    busy: false,
    ready,
    reachable: () => fetchNegotiate().then(
      () => true,
      () => false,
    ),
    webSocket: () => (wsCtor ??= resolveWebSocket(options.WebSocket)),
    fail(name, reason) {
      memory.remember(name, reason)
      if (current !== name) return current
      const next = below(ladder, name, memory.read())
      if (next) move(next, reason)
      return next
    },
    upgraded(name) {
      memory.forget(name)
      if (current !== name) move(name, 'upgrade')
    },
    // polls cut while held, sooner than the hold: hold < proxy idle timeout < client timeout
    learnHold: (quietMs) => {
      holdMs = Math.max(500, Math.floor(quietMs * 0.75))
    },
    report: (error: PushlineError) => events.emit('error', error),
    changed,
  }

  const publish = async (channel: string, data: unknown): Promise<{ cursor: string }> => {
    if (closed) throw closedError()
    const negotiated = await ready()
    for (const sub of subs) {
      const viaSocket = sub.publish(channel, data)
      if (viaSocket) return viaSocket
    }
    let res: Response
    try {
      res = await track((signal) =>
        resolved.fetch(negotiated.endpoints.publish, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel, data }),
          signal,
        }),
      )
    } catch (cause) {
      if (closed) throw closedError()
      const timedOut = (cause as Error).name === 'AbortError'
      throw clientError(timedOut ? ClientErrorCode.Timeout : ClientErrorCode.Network, 'publish failed', cause)
    }
    if (!res.ok) throw await responseError(res)
    return (await res.json()) as { cursor: string }
  }

  return {
    subscribe(channels, handlers) {
      if (closed) throw closedError()
      const sub = subscription(hub, channels, handlers as unknown as SubscribeOptions<undefined, string>, () => {
        subs.delete(sub)
        changed()
      })
      subs.add(sub)
      changed()
      return {
        unsubscribe: sub.stop,
        get cursor() {
          return sub.position
        },
      }
    },
    publish,
    get transport() {
      return current
    },
    get state() {
      return state
    },
    on: events.on,
    close() {
      if (closed) return
      closed = true
      for (const sub of subs) sub.stop()
      for (const abort of aborts) abort.abort()
      changed()
    },
  }
}

/** The given WebSocket, the global one, else `ws` (Node 20 has no global WebSocket) if the app installed it. */
async function resolveWebSocket(given: WebSocketCtor | undefined): Promise<WebSocketCtor> {
  // a specifier computed at run time keeps bundlers (esbuild folds constants) from pulling `ws` into browser builds
  const specifier = ['ws'].join('')
  return (
    given ??
    (globalThis as { WebSocket?: WebSocketCtor }).WebSocket ??
    (await import(/* @vite-ignore */ specifier).then(
      (mod: { WebSocket: WebSocketCtor }) => mod.WebSocket,
      (cause) => {
        throw clientError(ClientErrorCode.NoWebSocket, 'install ws or pass WebSocket', cause)
      },
    ))
  )
}
