import { PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import { backoffDelay } from './backoff.js'
import type { SubscribeOptions } from './client.js'
import { isAfter, isNewReset } from './dedup.js'
import { ClientErrorCode, clientError } from './errors.js'
import { above } from './ladder.js'
import { type AttemptInput, type AttemptState, initialState, isQuietCut, step, type Verdict } from './machine.js'
import type { Negotiated } from './negotiate.js'
import type { ResolvedOptions } from './options.js'
import type { FailureReason } from './reasons.js'
import { transports } from './transports/index.js'
import type { EndInfo, Incoming, TransportSession, WebSocketCtor } from './transports/types.js'

export type SubscriptionState = 'connecting' | 'connected' | 'reconnecting' | 'closed'

/** What a subscription needs from its client (the shared negotiation and transport choice). */
export interface Hub {
  readonly options: ResolvedOptions
  readonly current: TransportName | null
  readonly holdMs: number
  upgradeBusy: boolean
  ready(): Promise<Negotiated>
  reachable(): Promise<boolean>
  ladderNow(): readonly TransportName[]
  webSocket(): Promise<WebSocketCtor>
  fail(name: TransportName, reason: FailureReason): TransportName | undefined
  upgraded(name: TransportName): void
  learnHold(quietMs: number): void
  report(error: PushlineError): void
  stateChanged(): void
}

/** One connection attempt; callbacks from an attempt that is neither `main` nor `probe` any more are ignored. */
interface Attempt {
  readonly id: number
  readonly name: TransportName
  /** A background re-test of a better transport (as opposed to following the client's choice). */
  readonly upgrade: boolean
  state: AttemptState
  session?: TransportSession
  lastFrameAt: number
  beats: number
  timer?: ReturnType<typeof setTimeout>
  watchdog?: ReturnType<typeof setTimeout>
}

// Failures that look the same as "the server is down": checked against /negotiate before the transport is blamed.
const AMBIGUOUS: readonly FailureReason[] = ['ws-upgrade-refused', 'http-error', 'probe-timeout']

/**
 * One subscription: a `main` connection that delivers, and at times a `probe` connection on another transport
 * (a background re-test, or following the client to another transport) that takes over once it has proven itself.
 * Both deliver through the same position filter (see dedup.ts), so the switch loses and repeats nothing.
 */
export class Subscription {
  position: string | undefined
  state: SubscriptionState = 'connecting'
  private main: Attempt | undefined
  private probe: Attempt | undefined
  private info: Negotiated | undefined
  private retries = 0
  private quietCuts = 0
  private upgradeRound = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private upgradeTimer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private nextId = 0

  constructor(
    private readonly hub: Hub,
    private readonly channels: readonly string[],
    private readonly handlers: SubscribeOptions<undefined, string>,
    private readonly onStop: () => void,
  ) {
    this.position = handlers.cursor
  }

  start(): void {
    this.hub.ready().then(
      (info) => {
        this.info = info
        if (!this.stopped && !this.main) this.connect(this.hub.current!, false)
      },
      (error: PushlineError) => {
        if (this.stopped) return
        this.hub.report(error)
        this.later(() => this.start())
      },
    )
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.upgradeTimer)
    if (this.main) this.dispose(this.main)
    if (this.probe) this.dispose(this.probe)
    this.setState('closed')
    this.onStop()
  }

  /** The client's transport changed: move there, keeping the current connection until the new one has proven itself. */
  follow(): void {
    const target = this.hub.current
    const main = this.main
    if (this.stopped || !target || !main || main.name === target || this.probe?.name === target) return
    if (this.probe) this.dispose(this.probe)
    if (main.state.kind === 'live') {
      this.connect(target, true, false)
      return
    }
    this.dispose(main)
    this.connect(target, false)
  }

  publishVia(channel: string, data: unknown, timeoutMs: number): Promise<{ cursor: string }> | undefined {
    return this.main?.state.kind === 'live' ? this.main.session?.publish?.(channel, data, timeoutMs) : undefined
  }

  private connect(name: TransportName, asProbe: boolean, upgrade = asProbe): void {
    const info = this.info!
    const a: Attempt = { id: ++this.nextId, name, upgrade, state: initialState(name), lastFrameAt: Date.now(), beats: 0 }
    if (asProbe) this.probe = a
    else this.main = a
    a.timer = setTimeout(() => this.input(a, { type: 'probe-timeout' }), this.hub.options.probeTimeoutMs)
    const holdMs = this.hub.holdMs
    a.session = transports[name](
      {
        url: info.endpoints[name],
        channels: this.channels,
        position: () => this.position,
        heartbeatMs: info.heartbeatMs,
        holdMs,
        pollGraceMs: Math.max(2000, holdMs / 2),
        fetch: this.hub.options.fetch,
        WebSocket: () => this.hub.webSocket(),
      },
      {
        open: () => this.input(a, { type: 'open' }),
        frame: (frame) => this.onFrame(a, frame),
        end: (end) => this.onEnd(a, end),
      },
    )
  }

  private current(a: Attempt): boolean {
    return !this.stopped && (a === this.main || a === this.probe)
  }

  private onFrame(a: Attempt, frame: Incoming): void {
    if (!this.current(a)) return
    a.lastFrameAt = Date.now()
    switch (frame.type) {
      case 'hello':
        this.position ??= frame.cursor
        this.input(a, { type: 'hello', roundTrip: frame.roundTrip })
        this.watch(a)
        return
      case 'event':
        if (isAfter(this.position, frame.cursor)) {
          this.position = frame.cursor
          this.call(() => this.handlers.onEvent({ channel: frame.channel, cursor: frame.cursor, data: frame.data }))
        }
        break
      case 'reset':
        if (isNewReset(this.position, frame.cursor)) {
          this.position = frame.cursor
          this.call(() => this.handlers.onReset?.({ reason: frame.reason, cursor: frame.cursor }))
        }
        break
      case 'position':
        if (isAfter(this.position, frame.cursor)) this.position = frame.cursor
        break
      case 'heartbeat':
        a.beats++
        break
      case 'error':
        this.fatal(new PushlineError(frame.error.code, frame.error.message, { statusCode: 400 }))
        return
      default:
        return
    }
    this.input(a, { type: 'frame' })
    this.watch(a)
  }

  private onEnd(a: Attempt, end: EndInfo): void {
    if (!this.current(a)) return
    if (end.error) {
      this.fatal(end.error)
      return
    }
    const quietMs = Date.now() - a.lastFrameAt
    const cut = !end.byServer && end.status === undefined
    // a poll cut while held, sooner than the hold: a proxy idle timeout; hold less from now on
    if (a.name === 'longpoll' && a.state.kind === 'live' && cut && isQuietCut(quietMs, this.info!.heartbeatMs)) {
      if (quietMs < this.hub.holdMs) this.hub.learnHold(quietMs)
    }
    this.input(a, { type: 'end', status: end.status, byServer: end.byServer, quietMs })
  }

  private input(a: Attempt, input: AttemptInput): void {
    if (!this.current(a)) return
    const [state, verdict] = step(a.state, input, { heartbeatMs: this.info!.heartbeatMs, quietCuts: this.quietCuts })
    a.state = state
    const isProbe = a === this.probe
    if (state.kind !== 'probing') clearTimeout(a.timer)
    if (state.kind === 'ended') this.dispose(a)
    if (isProbe) this.onProbeVerdict(a, verdict)
    else this.onMainVerdict(a, verdict)
  }

  private onMainVerdict(a: Attempt, verdict: Verdict): void {
    switch (verdict.kind) {
      case 'proven':
      case 'trusted':
        if (verdict.kind === 'proven') this.retries = 0
        if (this.state !== 'connected') {
          this.setState('connected')
          this.scheduleUpgrade()
        }
        this.follow()
        return
      case 'retry':
        this.quietCuts = verdict.quietCut ? this.quietCuts + 1 : 0
        this.setState('reconnecting')
        this.later(() => this.reconnect(a.name))
        return
      case 'fail':
        this.setState('reconnecting')
        this.failed(a.name, verdict.reason)
        return
      case 'none':
        return
    }
  }

  private async failed(name: TransportName, reason: FailureReason): Promise<void> {
    if (this.probe) this.dispose(this.probe)
    if (AMBIGUOUS.includes(reason) && !(await this.hub.reachable())) {
      // the server is down, not the transport broken: wait and try the same again
      this.later(() => this.reconnect(name))
      return
    }
    if (this.stopped || this.main) return
    const next = this.hub.fail(name, reason)
    if (!next || next === name) {
      this.later(() => this.reconnect(name))
      return
    }
    this.connect(next, false)
  }

  private onProbeVerdict(a: Attempt, verdict: Verdict): void {
    switch (verdict.kind) {
      case 'proven': {
        const old = this.main
        this.probe = undefined
        this.main = a
        if (old) this.dispose(old)
        if (a.upgrade) this.hub.upgradeBusy = false
        this.retries = 0
        this.setState('connected')
        if (a.upgrade) this.hub.upgraded(a.name)
        this.scheduleUpgrade()
        this.follow()
        return
      }
      case 'fail':
        this.hub.fail(a.name, verdict.reason)
        this.scheduleUpgrade()
        return
      case 'retry':
        this.scheduleUpgrade()
        this.follow()
        return
      default:
        return
    }
  }

  private reconnect(name: TransportName): void {
    if (!this.stopped && !this.main) this.connect(this.hub.current ?? name, false)
  }

  /** Re-test the better transports in turn, best first, while the current one keeps delivering. */
  private scheduleUpgrade(): void {
    clearTimeout(this.upgradeTimer)
    const main = this.main
    if (this.stopped || !main || above(this.hub.ladderNow(), main.name).length === 0) return
    const interval = this.hub.options.upgradeIntervalMs
    this.upgradeTimer = setTimeout(
      () => {
        this.upgradeTimer = undefined
        const now = this.main
        if (now?.state.kind !== 'live' || this.probe || this.hub.upgradeBusy) {
          this.scheduleUpgrade()
          return
        }
        const better = above(this.hub.ladderNow(), now.name)
        if (better.length === 0) return
        this.hub.upgradeBusy = true
        this.connect(better[this.upgradeRound++ % better.length]!, true)
      },
      interval / 2 + (Math.random() * interval) / 2,
    )
  }

  /** Arms the silence watchdog once a stream is live: 2x heartbeatMs without any frame means it stalled. */
  private watch(a: Attempt): void {
    if (a.watchdog || a.state.kind !== 'live' || a.name === 'longpoll' || (a.name === 'websocket' && !a.beats)) return
    const limit = 2 * this.info!.heartbeatMs
    const check = () => {
      const quiet = Date.now() - a.lastFrameAt
      if (quiet < limit) a.watchdog = setTimeout(check, limit - quiet)
      else {
        a.watchdog = undefined
        this.input(a, { type: 'silence' })
      }
    }
    a.watchdog = setTimeout(check, limit)
  }

  private dispose(a: Attempt): void {
    clearTimeout(a.timer)
    clearTimeout(a.watchdog)
    a.session?.close()
    if (a === this.main) this.main = undefined
    if (a === this.probe) {
      this.probe = undefined
      if (a.upgrade) this.hub.upgradeBusy = false
    }
  }

  private later(run: () => void): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      if (!this.stopped) run()
    }, backoffDelay(this.retries++, this.hub.options.backoff))
  }

  private call(run: () => void): void {
    try {
      run()
    } catch (cause) {
      this.hub.report(clientError(ClientErrorCode.Handler, 'a subscription handler threw', cause))
    }
  }

  private fatal(error: Error): void {
    const coded = error instanceof PushlineError ? error : clientError(ClientErrorCode.Protocol, error.message, error)
    this.hub.report(coded)
    this.call(() => this.handlers.onError?.(coded))
    this.stop()
  }

  private setState(state: SubscriptionState): void {
    if (this.state === state || this.state === 'closed') return
    this.state = state
    this.hub.stateChanged()
  }
}
