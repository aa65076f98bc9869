import { PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
import { refusedChannels, renewable, type Tokens } from './auth.js'
import { backoffDelay } from './backoff.js'
import { atOrAfter } from './dedup.js'
import { ClientErrorCode, clientError, wireError } from './errors.js'
import { type Report, route, type Segment, type Sub, serves } from './feed.js'
import { startOn } from './ladder.js'
import { type AttemptInput, type AttemptState, initialState, isQuietCut, step } from './machine.js'
import type { FailureMemory } from './memory.js'
import type { Negotiated } from './negotiate.js'
import type { ResolvedOptions } from './options.js'
import type { FailureReason, TransportReason } from './reasons.js'
import { transports } from './transports/index.js'
import type { EndInfo, Incoming, TransportSession, WebSocketCtor } from './transports/types.js'

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting'

/** What the connection needs from its client. */
export interface Hub {
  readonly options: ResolvedOptions
  readonly memory: FailureMemory
  info(): Negotiated
  ladder(): readonly TransportName[]
  holdMs(): number
  learnHold(quietMs: number): void
  webSocket(): Promise<WebSocketCtor>
  /** The credential every attempt takes before it connects. */
  readonly tokens: Tokens
  /** The subscriptions as they are now, from their positions now (a connection opened later starts from there). */
  segment(): Segment
  reachable(): Promise<boolean>
  report: Report
  /** The client settled on (or moved to) `name`. */
  settled(name: TransportName, reason: TransportReason): void
  state(state: ConnectionState): void
  /** The server refused these subscriptions for good. */
  refused(subs: readonly Sub[], error: PushlineError): void
}

export interface Connection {
  /** The subscriptions changed: serve them (nothing when `segment` has no subscription). */
  update(segment: Segment): void
  publish(channel: string, data: unknown): Promise<{ cursor: string }> | undefined
  close(): void
}

/** `keep`: the settled transport (trusted on its hello); `race`: competing to be chosen; `upgrade`: a re-test of a better one. */
type Role = 'keep' | 'race' | 'upgrade'

/** One connection attempt; callbacks of an attempt no longer in `attempts` are ignored. */
interface Attempt {
  readonly name: TransportName
  role: Role
  state: AttemptState
  session?: TransportSession
  /** What its stream serves now, and WebSocket subscribes sent but not yet answered. */
  seg: Segment
  readonly queue: Segment[]
  /** How far its stream has come: where a reconnect or the next poll starts. */
  pos: string | undefined
  /** The credential it connected with. */
  token?: string | undefined
  lastFrameAt: number
  beats: number
  /** The least (arrival - server time) seen, and how many timed frames in a row came later than that by far. */
  skew?: number
  late: number
  timer?: ReturnType<typeof setTimeout>
  watchdog?: ReturnType<typeof setTimeout>
}

// Failures that look the same as "the server is down": checked against /negotiate when nothing else delivers.
const AMBIGUOUS: readonly FailureReason[] = ['ws-upgrade-refused', 'http-error', 'probe-timeout', 'stream-buffered']

/**
 * ONE connection for all of a client's subscriptions. Transports are raced, not tried in turn: the best one not
 * known to fail here, every one below it and the long-poll floor start together; whatever delivers first serves
 * (long-poll answers within one round trip), a better one takes over once it has proven itself, and worse ones are
 * dropped. The client settles when nothing better is left in the race; later it re-tests the better transports in
 * the background and moves back up. Every stream serves a segment from the oldest position any subscription needs,
 * so overlapping streams lose and repeat nothing (feed.ts).
 */
export function connection(hub: Hub): Connection {
  const attempts = new Set<Attempt>()
  let wanted: Segment | undefined
  let main: Attempt | undefined
  let current: TransportName | undefined
  /** Failures seen since the client last settled: the reason it names when it settles lower. */
  let failedNow: Partial<Record<TransportName, FailureReason>> = {}
  /** Failed attempts whose blame waits on the reachability check: the client settles below one only once it is judged. */
  const judging = new Set<Attempt>()
  let promoted: TransportReason | undefined
  let retries = 0
  let quietCuts = 0
  /** Credentials refused since the last hello: a second refusal, of a fresh one, is final. */
  let strikes = 0
  let everLive = false
  let closed = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let upgradeTimer: ReturnType<typeof setTimeout> | undefined

  const rank = (name: TransportName) => hub.ladder().indexOf(name)
  const isLive = (a: Attempt) => a.state.kind === 'live'

  const refresh = () => {
    const live = [...attempts].some(isLive)
    everLive ||= live
    hub.state(live ? 'connected' : everLive ? 'reconnecting' : 'connecting')
  }

  const drop = (a: Attempt) => {
    clearTimeout(a.timer)
    clearTimeout(a.watchdog)
    attempts.delete(a)
    if (main === a) main = undefined
    a.session?.close()
  }

  const later = (run: () => void) => {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => !closed && run(), backoffDelay(retries++, hub.options.backoff))
  }

  const connect = (name: TransportName, role: Role) => {
    const seg = hub.segment()
    const a: Attempt = { name, role, seg, queue: [], pos: seg.from, state: initialState(name), lastFrameAt: Date.now(), beats: 0, late: 0 }
    attempts.add(a)
    a.timer = setTimeout(() => input(a, { type: 'probe-timeout' }), hub.options.probeTimeoutMs)
    hub.tokens.get().then(
      (token) => {
        if (!attempts.has(a)) return
        a.token = token
        const info = hub.info()
        a.session = transports[name](
          {
            url: info.endpoints[name] ?? '',
            channels: a.seg.channels,
            position: () => a.pos,
            holdMs: hub.holdMs(),
            pollFormat: info.pollFormat,
            fetch: hub.options.fetch,
            WebSocket: hub.webSocket,
            token,
          },
          {
            open: () => input(a, { type: 'open' }),
            frame: (frame) => onFrame(a, frame),
            end: (end) => onEnd(a, end),
          },
        )
      },
      (error: PushlineError) => {
        if (!attempts.has(a)) return
        hub.report(error)
        retried(a, false)
      },
    )
  }

  /** A fresh choice: the best transport not known to fail, every one below it not known to fail, and the floor. */
  const select = () => {
    if (closed || !wanted?.subs.length || attempts.size) return
    const ladder = hub.ladder()
    const failures = hub.memory.read()
    const start = startOn(ladder, failures)
    if (!start) return
    const names = ladder.slice(rank(start)).filter((name, i, rest) => !i || !failures[name] || i === rest.length - 1)
    for (const name of names) connect(name, names.length > 1 ? 'race' : 'keep')
    refresh()
  }

  const settle = (name: TransportName) => {
    const ladder = hub.ladder()
    const above = ladder.slice(0, rank(name)).reverse()
    const failed = above.map((better) => failedNow[better]).find((reason) => reason)
    const reason = promoted ?? failed ?? (rank(name) ? 'remembered' : 'negotiated')
    promoted = undefined
    failedNow = {}
    if (current !== name) {
      current = name
      hub.settled(name, reason)
    }
    scheduleUpgrade()
  }

  const maybeSettle = () => {
    if (main && ![...attempts, ...judging].some((a) => rank(a.name) < rank(main?.name ?? a.name))) settle(main.name)
  }

  const promote = (a: Attempt) => {
    if (main && main !== a && rank(main.name) <= rank(a.name)) return drop(a)
    if (main && main !== a) drop(main)
    if (a.role === 'upgrade') {
      hub.memory.forget(a.name)
      promoted = 'upgrade'
    }
    a.role = 'keep'
    main = a
    for (const other of attempts) if (other !== a && rank(other.name) >= rank(a.name)) drop(other)
    maybeSettle()
  }

  const failed = (a: Attempt, reason: FailureReason) => {
    drop(a)
    const proceed = (blame: boolean) => {
      if (closed) return
      if (blame) {
        hub.memory.remember(a.name, reason)
        failedNow[a.name] = reason
      }
      refresh()
      if (main) return maybeSettle()
      if (attempts.size) return
      // moving down is immediate; the same again (server down, or the floor failing) waits
      if (blame && rank(a.name) < hub.ladder().length - 1) select()
      else later(select)
    }
    if ([...attempts].some(isLive) || !AMBIGUOUS.includes(reason)) return proceed(true)
    // a better transport's failure not yet judged must still be named when a worse one settles meanwhile
    judging.add(a)
    void hub.reachable().then((blame) => {
      judging.delete(a)
      proceed(blame)
    })
  }

  const retried = (a: Attempt, quietCut: boolean) => {
    const wasMain = a === main
    drop(a)
    refresh()
    if (wasMain) quietCuts = quietCut ? quietCuts + 1 : 0
    if (main) return maybeSettle()
    if (attempts.size) return
    later(() => {
      if (main || attempts.size || !wanted?.subs.length) return
      if (wasMain) connect(a.name, 'keep')
      else select()
    })
  }

  const refuse = (a: Attempt, error: PushlineError) => {
    const named = refusedChannels(error)
    // what it serves and what it was asked to serve since (WebSocket subscribes not yet answered)
    const live = [...new Set([a.seg, ...a.queue].flatMap((seg) => seg.subs))].filter((sub) => !sub.stopped)
    // a refusal that names its channels is of the subscriptions naming them; else of those the server never accepted
    const fresh = live.filter((sub) => (named.length ? sub.channels.some((channel) => named.includes(channel)) : !sub.accepted))
    // a late answer (a racer's) for subscriptions that have stopped since: nobody's fault, serve what is wanted now
    if (named.length && !fresh.length) return retried(a, false)
    drop(a)
    refresh()
    hub.refused(fresh.length ? fresh : live, error)
  }

  /**
   * The server ended or refused the connection for its credential (expired, revoked, not accepted): not the
   * transport's fault. The token goes, a new one is asked for, and the same transport resumes from its position; a
   * token renewed since this attempt took it is simply tried. A fresh one refused again is final.
   */
  const reauth = (a: Attempt, error: PushlineError) => {
    if (hub.tokens.renew(a.token) && ++strikes > 1) return refuse(a, error)
    retried(a, false)
  }

  const input = (a: Attempt, event: AttemptInput) => {
    if (!attempts.has(a)) return
    const [next, verdict] = step(a.state, event, { heartbeatMs: hub.info().heartbeatMs, quietCuts })
    a.state = next
    if (next.kind === 'live' && next.frames) clearTimeout(a.timer)
    const kind = verdict.kind
    if (kind === 'trusted' || kind === 'proven') {
      if (kind === 'proven') retries = 0
      if (kind === 'proven' || a.role === 'keep') promote(a)
      refresh()
      scheduleUpgrade()
    } else if (kind === 'fail') failed(a, verdict.reason)
    else if (kind === 'retry') retried(a, verdict.quietCut)
  }

  const onFrame = (a: Attempt, frame: Incoming) => {
    if (!attempts.has(a)) return
    if (frame.type === 'error') return refuse(a, wireError(frame.error.code, frame.error.message, 400, frame.error.channels))
    if (frame.type === 'hello') {
      strikes = 0
      if (isLive(a)) a.seg = a.queue.shift() ?? a.seg
    }
    const moved = route(a.seg, frame, hub.report)
    if (moved !== undefined) a.pos = moved
    a.lastFrameAt = Date.now()
    if (frame.type === 'heartbeat') a.beats++
    const time = 'time' in frame ? frame.time : undefined
    if (typeof time === 'number' && a.name !== 'websocket') {
      // a frame that waited in a proxy for the next write: twice in a row, half a heartbeat period late, is no accident
      const offset = a.lastFrameAt - time
      a.skew = Math.min(a.skew ?? offset, offset)
      a.late = offset - a.skew > hub.info().heartbeatMs / 2 ? a.late + 1 : 0
      if (a.late > 1) return input(a, { type: 'delayed' })
    }
    input(a, frame.type === 'hello' ? { type: 'hello', roundTrip: frame.roundTrip } : { type: 'frame' })
    watch(a)
  }

  const onEnd = (a: Attempt, end: EndInfo) => {
    if (!attempts.has(a)) return
    const error = end.error
    if (renewable(end.code)) return reauth(a, wireError(end.code ?? '', 'the server ended the connection', 401))
    if (error instanceof PushlineError && renewable(error.code)) return reauth(a, error)
    if (error) {
      const noWebSocket = error instanceof PushlineError && error.code === ClientErrorCode.NoWebSocket
      if (!noWebSocket) return refuse(a, error instanceof PushlineError ? error : clientError(ClientErrorCode.Protocol, error.message, error))
      hub.report(error)
      return failed(a, 'ws-upgrade-refused')
    }
    if (end.malformed) hub.report(clientError(ClientErrorCode.Protocol, `${a.name}: ${end.malformed}`))
    const quietMs = Date.now() - a.lastFrameAt
    // a poll cut while held, sooner than the hold: a proxy idle timeout; hold less from now on
    const cut = !end.byServer && end.status === undefined && !end.malformed
    if (a.name === 'longpoll' && isLive(a) && cut && isQuietCut(quietMs, hub.info().heartbeatMs) && quietMs < hub.holdMs()) {
      hub.learnHold(quietMs)
    }
    input(a, { type: 'end', status: end.status, byServer: end.byServer || !!end.malformed, quietMs })
  }

  /** The silence watchdog of a live stream: 2x heartbeatMs without any frame means it stalled. */
  const watch = (a: Attempt) => {
    if (a.watchdog || !isLive(a) || a.name === 'longpoll' || (a.name === 'websocket' && !a.beats)) return
    const limit = 2 * hub.info().heartbeatMs
    const check = () => {
      const quiet = Date.now() - a.lastFrameAt
      if (quiet < limit) a.watchdog = setTimeout(check, limit - quiet)
      else input(a, { type: 'silence' })
    }
    a.watchdog = setTimeout(check, limit)
  }

  /** Re-test every better transport together, in the background, while the current one keeps delivering. */
  const scheduleUpgrade = () => {
    clearTimeout(upgradeTimer)
    if (closed || !main || !rank(main.name)) return
    const interval = hub.options.upgradeIntervalMs
    upgradeTimer = setTimeout(
      () => {
        const keep = main
        if (!keep || !isLive(keep) || attempts.size > 1) return scheduleUpgrade()
        for (const name of hub.ladder().slice(0, rank(keep.name))) connect(name, 'upgrade')
      },
      interval / 2 + (Math.random() * interval) / 2,
    )
  }

  /** Whether `a` can take on the subscriptions of `seg` as it is: same channels, every newcomer at or after its position. */
  const absorbs = (a: Attempt, seg: Segment) => {
    if (a.queue.length || !isLive(a) || a.seg.channels.length !== seg.channels.length) return false
    const pos = a.pos
    return (
      seg.channels.every((channel) => a.seg.channels.includes(channel)) &&
      seg.subs.every((sub) => a.seg.subs.includes(sub) || (pos !== undefined && sub.pos !== undefined && atOrAfter(sub.pos, pos)))
    )
  }

  return {
    update(seg) {
      wanted = seg
      if (closed) return
      if (!seg.subs.length) {
        for (const a of attempts) drop(a)
        clearTimeout(retryTimer)
        clearTimeout(upgradeTimer)
        return
      }
      if (!attempts.size) {
        if (!main) select()
        return
      }
      for (const a of [...attempts]) {
        if (serves(a.queue.at(-1) ?? a.seg, seg)) continue
        if (absorbs(a, seg)) a.seg = seg
        else if (a.session?.resubscribe?.(seg.channels, seg.from)) a.queue.push(seg)
        else {
          drop(a)
          connect(a.name, a.role)
        }
      }
      refresh()
    },
    publish: (channel, data) => (main && isLive(main) ? main.session?.publish?.(channel, data) : undefined),
    close() {
      closed = true
      for (const a of attempts) drop(a)
      clearTimeout(retryTimer)
      clearTimeout(upgradeTimer)
    },
  }
}
