import type { ChannelSchemas, PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import type { ClientEvents, ClientState, PushlineClient, SubscribeOptions } from './api.js'
import { bearer, renewable, tokens } from './auth.js'
import { backoffDelay } from './backoff.js'
import { type ConnectionState, connection } from './connection.js'
import { emitter } from './emitter.js'
import { ClientErrorCode, clientError, responseError } from './errors.js'
import { call, newSub, plan, type Sub } from './feed.js'
import { cursorOf } from './frames.js'
import { plainJson } from './json-check.js'
import { ladderOf } from './ladder.js'
import { defaultStorage, failureMemory } from './memory.js'
import { type Negotiated, negotiate } from './negotiate.js'
import { type ClientOptions, resolveOptions } from './options.js'
import { transports } from './transports/index.js'
import type { WebSocketCtor } from './transports/types.js'

const CHANNEL = /^[A-Za-z0-9_.:@/-]{1,128}$/

/**
 * The client: one negotiation, one connection (connection.ts) carrying every subscription, and publishing. A
 * subscription without a cursor is positioned at the server's head within one round trip (the negotiate answer
 * carries it), before any transport is chosen, so nothing published after subscribe() can be missed however long
 * the choice takes. A closure rather than a class so that minifiers shorten every internal name (the bundle budget).
 */
export function createClient<C extends ChannelSchemas | undefined = undefined>(options: ClientOptions): PushlineClient<C> {
  const resolved = resolveOptions(options)
  const base = new URL(resolved.url)
  const memory = failureMemory(options.storage ?? defaultStorage(), `pushline:${base.origin}${base.pathname}`, resolved.failureTtlMs)
  const events = emitter<ClientEvents>()
  const credential = tokens(resolved.getToken ?? resolved.token)
  const subs = new Set<Sub>()
  const aborts = new Set<AbortController>()
  let negotiated: Negotiated | undefined
  let ladder: TransportName[] = []
  let holdMs = 0
  let epoch: string | undefined
  let cursorless = false
  let info: Promise<Negotiated> | undefined
  let wsCtor: Promise<WebSocketCtor> | undefined
  /** The head request of this tick, shared by the subscriptions made in it. */
  let heading: Promise<Negotiated> | undefined
  let failures = 0
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let scheduled = false
  let closed = false
  let current: TransportName | null = null
  let link: ConnectionState = 'connecting'
  let state: ClientState = 'idle'

  const report = (error: PushlineError) => events.emit('error', error)
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

  const changed = () => {
    const next: ClientState = closed ? 'closed' : !subs.size ? 'idle' : link
    if (next === state) return
    state = next
    events.emit('state', { state })
  }

  const fetchNegotiate = () =>
    track((signal) => negotiate(resolved.url, resolved.fetch, { signal }, Object.keys(transports)), resolved.probeTimeoutMs * 2).then((answer) => {
      epoch = answer.cursor?.slice(0, answer.cursor.lastIndexOf('-')) ?? epoch
      return answer
    })

  /** Negotiates once; a failure is not kept, so the next caller tries again. */
  const ready = (): Promise<Negotiated> => {
    if (closed) return Promise.reject(closedError())
    info ??= fetchNegotiate().then(
      (answer) => {
        negotiated = answer
        ladder = ladderOf(answer.transports, resolved.transports)
        holdMs ||= answer.holdMs
        return answer
      },
      (error: unknown) => {
        info = undefined
        throw error
      },
    )
    return info
  }

  const stop = (sub: Sub) => {
    sub.stopped = true
    subs.delete(sub)
    schedule()
  }

  const refuse = (refused: readonly Sub[], error: PushlineError) => {
    report(error)
    for (const sub of refused) {
      if (sub.stopped) continue
      stop(sub)
      call(report, () => sub.handlers.onError?.(error))
    }
  }

  const conn = connection({
    options: resolved,
    memory,
    info: () => negotiated as Negotiated,
    ladder: () => ladder,
    holdMs: () => holdMs,
    // polls cut while held, sooner than the hold: hold < proxy idle timeout < client timeout
    learnHold: (quietMs) => {
      holdMs = Math.max(500, Math.floor(quietMs * 0.75))
    },
    webSocket: () => (wsCtor ??= resolveWebSocket(options.WebSocket)),
    tokens: credential,
    reachable: () =>
      fetchNegotiate().then(
        () => true,
        () => false,
      ),
    report,
    settled(name, reason) {
      const previous = current
      current = name
      events.emit('transport', { name, previous, reason })
    },
    state(next) {
      link = next
      changed()
    },
    refused: refuse,
    segment: () => segmentNow().segment,
  })

  const segmentNow = () => plan(subs, negotiated?.maxChannels ?? 64, epoch, cursorless)

  /** Hands the subscriptions as they are now to the connection, once per tick however many changed. */
  const reconcile = () => {
    scheduled = false
    changed()
    if (closed || !negotiated) return
    if (!ladder.length && subs.size) {
      return refuse([...subs], clientError(ClientErrorCode.NoTransport, `server offers ${negotiated.transports}`))
    }
    const { segment, over } = segmentNow()
    if (over.length) {
      refuse(over, clientError(ClientErrorCode.ChannelLimit, `over ${negotiated.maxChannels} channels`, undefined, 400))
    }
    conn.update(segment)
    changed()
  }

  function schedule() {
    if (scheduled || closed) return
    scheduled = true
    queueMicrotask(reconcile)
  }

  /** The server's head now: the first negotiation carries it, later ones are asked again (one request per tick). */
  const head = () => {
    if (!heading) {
      // a negotiation still on its way was asked just before (or after) the subscription was made: its head will do
      const answer = negotiated ? fetchNegotiate() : ready()
      answer.catch((error: PushlineError) => closed || report(error))
      heading = answer
      queueMicrotask(() => {
        heading = undefined
      })
    }
    return heading
  }

  /** Negotiates, and positions a subscription made without a cursor at the head the answer carries; retried with backoff. */
  const locate = (sub: Sub) => {
    if (closed || sub.stopped) return
    ;(sub.pos ? ready() : head()).then(
      ({ cursor }) => {
        failures = 0
        if (!sub.pos) {
          if (cursor) sub.positioned(cursor)
          else cursorless = true
        }
        schedule()
      },
      () => {
        const timer = setTimeout(() => {
          timers.delete(timer)
          locate(sub)
        }, backoffDelay(failures++, resolved.backoff))
        timers.add(timer)
      },
    )
  }

  /** One publish over the WebSocket when that is the transport, else `POST publish` with the credential. */
  const send = async (channel: string, data: unknown, token: string | undefined): Promise<{ cursor: string }> => {
    const answer = await ready()
    const viaSocket = conn.publish(channel, data)
    if (viaSocket) return viaSocket
    let res: Response
    try {
      res = await track((signal) =>
        resolved.fetch(answer.endpoints.publish ?? `${resolved.url}/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(token) },
          body: JSON.stringify({ channel, data }),
          signal,
        }),
      )
    } catch (cause) {
      if (closed) throw closedError()
      const timedOut = cause instanceof Error && cause.name === 'AbortError'
      throw clientError(timedOut ? ClientErrorCode.Timeout : ClientErrorCode.Network, 'publish failed', cause)
    }
    if (!res.ok) throw await responseError(res)
    const cursor = cursorOf(await res.json().catch(() => null))
    if (!cursor) throw clientError(ClientErrorCode.Protocol, 'malformed publish answer')
    return { cursor }
  }

  const publish = async (channel: string, data: unknown): Promise<{ cursor: string }> => {
    if (closed) throw closedError()
    if (typeof channel !== 'string' || !CHANNEL.test(channel)) throw clientError(ClientErrorCode.ChannelInvalid, `bad channel ${channel}`, undefined, 400)
    if (plainJson(data) === undefined) throw clientError(ClientErrorCode.DataInvalid, 'data is not plain JSON', undefined, 400)
    const token = await credential.get()
    // refused for its credential (nothing was appended): once more with a fresh one
    return send(channel, data, token).catch(async (error: PushlineError) => {
      if (!renewable(error.code)) throw error
      credential.renew(token)
      return send(channel, data, await credential.get())
    })
  }

  return {
    subscribe(channels, handlers) {
      if (closed) throw closedError()
      if (!Array.isArray(channels) || !channels.length || typeof handlers?.onEvent !== 'function') {
        throw clientError(ClientErrorCode.Options, 'subscribe(channels, { onEvent })', undefined, 400)
      }
      let positioned: (value: { cursor: string }) => void = () => {}
      const readyPromise = new Promise<{ cursor: string }>((resolve) => {
        positioned = resolve
      })
      const sub = newSub([...new Set(channels)], handlers as unknown as SubscribeOptions<undefined, string>, (cursor) => positioned({ cursor }))
      subs.add(sub)
      const invalid = channels.find((channel) => typeof channel !== 'string' || !CHANNEL.test(channel))
      if (invalid !== undefined) {
        queueMicrotask(() => refuse([sub], clientError(ClientErrorCode.ChannelInvalid, `bad channel ${invalid}`, undefined, 400)))
      } else {
        if (sub.pos) sub.positioned(sub.pos)
        locate(sub)
      }
      changed()
      return {
        unsubscribe: () => stop(sub),
        get cursor() {
          return sub.pos
        },
        ready: readyPromise,
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
      for (const timer of timers) clearTimeout(timer)
      conn.close()
      for (const sub of subs) sub.stopped = true
      subs.clear()
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
