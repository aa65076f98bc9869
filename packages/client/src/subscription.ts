import { PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import type { SubscribeOptions } from './api.js'
import { backoffDelay } from './backoff.js'
import { isAfter, isNewReset } from './dedup.js'
import { ClientErrorCode, clientError } from './errors.js'
import { above } from './ladder.js'
import { type AttemptInput, type AttemptState, initialState, isQuietCut, step } from './machine.js'
import type { Negotiated } from './negotiate.js'
import type { ResolvedOptions } from './options.js'
import type { FailureReason } from './reasons.js'
import { transports } from './transports/index.js'
import type { EndInfo, Incoming, TransportSession, WebSocketCtor } from './transports/types.js'

export type SubscriptionState = 'connecting' | 'connected' | 'reconnecting' | 'closed'

/** What a subscription needs from its client: the shared negotiation and transport choice. */
export interface Hub {
  readonly options: ResolvedOptions
  /** The client's transport now. */
  current(): TransportName | null
  ladder(): readonly TransportName[]
  holdMs(): number
  /** One background re-test at a time per client. */
  busy: boolean
  ready(): Promise<Negotiated>
  reachable(): Promise<boolean>
  webSocket(): Promise<WebSocketCtor>
  /** Remembers the failure; moves the client down if `name` is its choice. Returns where to go (undefined: stay). */
  fail(name: TransportName, reason: FailureReason): TransportName | null | undefined
  upgraded(name: TransportName): void
  learnHold(quietMs: number): void
  report(error: PushlineError): void
  changed(): void
}

export interface Subscription {
  readonly position: string | undefined
  readonly state: SubscriptionState
  stop(): void
  /** The client's transport changed: move there. */
  follow(): void
  publish(channel: string, data: unknown): Promise<{ cursor: string }> | undefined
}

/** One connection attempt; callbacks from an attempt that is neither `main` nor `probe` any more are ignored. */
interface Attempt {
  readonly name: TransportName
  /** A background re-test of a better transport (rather than following the client's choice). */
  readonly upgrade: boolean
  state: AttemptState
  session?: TransportSession
  lastFrameAt: number
  beats: number
  timer?: ReturnType<typeof setTimeout>
  watchdog?: ReturnType<typeof setTimeout>
}

// Failures that look the same as "the server is down": checked against /negotiate before the transport is blamed.
const AMBIGUOUS: readonly FailureReason[] = ['ws-upgrade-refused', 'http-error', 'probe-timeout', 'stream-buffered']

/**
 * One subscription: a `main` connection that delivers and, at times, a `probe` connection on another transport
 * (a background re-test of a better one, or following the client to another one) that takes over once it has
 * proven itself. Both deliver through the same position filter (dedup.ts), so a switch loses and repeats nothing.
 * Written as a closure rather than a class so that minifiers can shorten every internal name (the 6 KB budget).
 */
export function subscription(
  hub: Hub,
  channels: readonly string[],
  handlers: SubscribeOptions<undefined, string>,
  onStop: () => void,
): Subscription {
  let position = handlers.cursor
  let state: SubscriptionState = 'connecting'
  let main: Attempt | undefined
  let probe: Attempt | undefined
  let info: Negotiated
  let retries = 0
  let quietCuts = 0
  let round = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let upgradeTimer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const setState = (next: SubscriptionState) => {
    if (state === next || state === 'closed') return
    state = next
    hub.changed()
  }

  const call = (run: () => void) => {
    try {
      run()
    } catch (cause) {
      hub.report(clientError(ClientErrorCode.Handler, 'handler threw', cause))
    }
  }

  const later = (run: () => void) => {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => !stopped && run(), backoffDelay(retries++, hub.options.backoff))
  }

  const live = (a: Attempt) => !stopped && (a === main || a === probe)

  const dispose = (a: Attempt) => {
    clearTimeout(a.timer)
    clearTimeout(a.watchdog)
    a.session?.close()
    if (a === main) main = undefined
    if (a === probe) {
      probe = undefined
      if (a.upgrade) hub.busy = false
    }
  }

  const connect = (name: TransportName, asProbe: boolean, upgrade = asProbe) => {
    const a: Attempt = { name, upgrade, state: initialState(name), lastFrameAt: Date.now(), beats: 0 }
    if (asProbe) probe = a
    else main = a
    a.timer = setTimeout(() => input(a, { type: 'probe-timeout' }), hub.options.probeTimeoutMs)
    a.session = transports[name](
      {
        url: info.endpoints[name],
        channels,
        position: () => position,
        holdMs: hub.holdMs(),
        fetch: hub.options.fetch,
        WebSocket: hub.webSocket,
      },
      {
        open: () => input(a, { type: 'open' }),
        frame: (frame) => onFrame(a, frame),
        end: (end) => onEnd(a, end),
      },
    )
  }

  const reconnect = (name: TransportName) => {
    if (!main) connect(hub.current() ?? name, false)
  }

  const follow = () => {
    const target = hub.current()
    if (stopped || !target || !main || main.name === target || probe?.name === target) return
    if (probe) dispose(probe)
    if (main.state.kind === 'live') connect(target, true, false)
    else {
      dispose(main)
      connect(target, false)
    }
  }

  /** Re-test the better transports in turn, best first, while the current one keeps delivering. */
  const scheduleUpgrade = () => {
    clearTimeout(upgradeTimer)
    if (stopped || !main || !above(hub.ladder(), main.name).length) return
    const interval = hub.options.upgradeIntervalMs
    upgradeTimer = setTimeout(
      () => {
        if (main?.state.kind !== 'live' || probe || hub.busy) return scheduleUpgrade()
        const better = above(hub.ladder(), main.name)
        hub.busy = true
        connect(better[round++ % better.length]!, true)
      },
      interval / 2 + (Math.random() * interval) / 2,
    )
  }

  /** The silence watchdog of a live stream: 2x heartbeatMs without any frame means it stalled. */
  const watch = (a: Attempt) => {
    if (a.watchdog || a.state.kind !== 'live' || a.name === 'longpoll' || (a.name === 'websocket' && !a.beats)) return
    const limit = 2 * info.heartbeatMs
    const check = () => {
      const quiet = Date.now() - a.lastFrameAt
      if (quiet < limit) a.watchdog = setTimeout(check, limit - quiet)
      else input(a, { type: 'silence' })
    }
    a.watchdog = setTimeout(check, limit)
  }

  const fatal = (error: Error) => {
    const coded = error instanceof PushlineError ? error : clientError(ClientErrorCode.Protocol, error.message, error)
    hub.report(coded)
    call(() => handlers.onError?.(coded))
    stop()
  }

  const onFrame = (a: Attempt, frame: Incoming) => {
    if (!live(a)) return
    a.lastFrameAt = Date.now()
    switch (frame.type) {
      case 'hello':
        position ??= frame.cursor
        input(a, { type: 'hello', roundTrip: frame.roundTrip })
        return watch(a)
      case 'event':
        if (isAfter(position, frame.cursor)) {
          position = frame.cursor
          call(() => handlers.onEvent({ channel: frame.channel, cursor: frame.cursor, data: frame.data }))
        }
        break
      case 'reset':
        if (isNewReset(position, frame.cursor)) {
          position = frame.cursor
          call(() => handlers.onReset?.({ reason: frame.reason, cursor: frame.cursor }))
        }
        break
      case 'position':
        if (isAfter(position, frame.cursor)) position = frame.cursor
        break
      case 'heartbeat':
        a.beats++
        break
      case 'error':
        return fatal(new PushlineError(frame.error.code, frame.error.message, { statusCode: 400 }))
      default:
        return
    }
    input(a, { type: 'frame' })
    watch(a)
  }

  const onEnd = (a: Attempt, end: EndInfo) => {
    if (!live(a)) return
    if (end.error) return fatal(end.error)
    const quietMs = Date.now() - a.lastFrameAt
    // a poll cut while held, sooner than the hold: a proxy idle timeout; hold less from now on
    const cut = !end.byServer && end.status === undefined
    if (a.name === 'longpoll' && a.state.kind === 'live' && cut && isQuietCut(quietMs, info.heartbeatMs) && quietMs < hub.holdMs()) {
      hub.learnHold(quietMs)
    }
    input(a, { type: 'end', status: end.status, byServer: end.byServer, quietMs })
  }

  const input = (a: Attempt, event: AttemptInput) => {
    if (!live(a)) return
    const [next, verdict] = step(a.state, event, { heartbeatMs: info.heartbeatMs, quietCuts })
    const kind = verdict.kind
    const isProbe = a === probe
    a.state = next
    if (next.kind !== 'probing') clearTimeout(a.timer)
    if (next.kind === 'ended') dispose(a)
    if (kind === 'proven' || (kind === 'trusted' && !isProbe)) {
      // main: trusted on its hello; a probe takes over only once proven (hello and more traffic, or a round trip)
      if (kind === 'proven') retries = 0
      if (isProbe) {
        if (main) dispose(main)
        probe = undefined
        main = a
        if (a.upgrade) {
          hub.busy = false
          hub.upgraded(a.name)
        }
      }
      if (state !== 'connected' || isProbe) scheduleUpgrade()
      setState('connected')
      follow()
    } else if (kind === 'fail') {
      if (isProbe) {
        hub.fail(a.name, verdict.reason)
        scheduleUpgrade()
      } else {
        setState('reconnecting')
        void failed(a.name, verdict.reason)
      }
    } else if (kind === 'retry') {
      if (isProbe) {
        scheduleUpgrade()
        follow()
      } else {
        quietCuts = verdict.quietCut ? quietCuts + 1 : 0
        setState('reconnecting')
        later(() => reconnect(a.name))
      }
    }
  }

  const failed = async (name: TransportName, reason: FailureReason) => {
    if (probe) dispose(probe)
    // the server is down rather than the transport broken: wait and try the same again
    if (AMBIGUOUS.includes(reason) && !(await hub.reachable())) return later(() => reconnect(name))
    if (stopped || main) return
    const next = hub.fail(name, reason)
    if (next && next !== name) connect(next, false)
    else later(() => reconnect(name))
  }

  const stop = () => {
    if (stopped) return
    stopped = true
    clearTimeout(retryTimer)
    clearTimeout(upgradeTimer)
    if (main) dispose(main)
    if (probe) dispose(probe)
    setState('closed')
    onStop()
  }

  const start = () => {
    hub.ready().then(
      (negotiated) => {
        info = negotiated
        if (!stopped && !main) connect(hub.current()!, false)
      },
      (error: PushlineError) => {
        if (stopped) return
        hub.report(error)
        later(start)
      },
    )
  }
  start()

  return {
    get position() {
      return position
    },
    get state() {
      return state
    },
    stop,
    follow,
    publish: (channel, data) =>
      main?.state.kind === 'live' ? main.session?.publish?.(channel, data) : undefined,
  }
}
