import type { TransportName } from '@pushline/core/wire'
import type { FailureReason } from './reasons.js'

/**
 * The life of one connection attempt as small immutable states; `step` is pure and returns the next state plus the
 * verdict the runtime acts on. The runtime owns sockets and timers and feeds the inputs below.
 */
export type AttemptState =
  /** Connecting, not yet trusted. `opened`: response headers (HTTP) or the open event (WebSocket) arrived. */
  | { readonly kind: 'probing'; readonly transport: TransportName; readonly opened: boolean }
  /** The hello arrived. `frames`: frames since the hello; `quietCuts`: consecutive idle cuts before this attempt. */
  | { readonly kind: 'live'; readonly transport: TransportName; readonly frames: number; readonly quietCuts: number }
  | { readonly kind: 'ended' }

export type AttemptInput =
  | { readonly type: 'open' }
  /** `roundTrip`: the hello answered a message we sent (WebSocket `subscribed`), proof enough to switch up. */
  | { readonly type: 'hello'; readonly roundTrip?: boolean }
  | { readonly type: 'frame' }
  | { readonly type: 'probe-timeout' }
  /** No frame for 2x heartbeatMs. */
  | { readonly type: 'silence' }
  /** Heartbeats keep arriving long after the server wrote them: a proxy holds each write until the next. */
  | { readonly type: 'delayed' }
  /**
   * The connection ended. `status`: HTTP status when the server/proxy refused; `byServer`: the server said goodbye
   * with a close frame (shutdown, slow consumer); `quietMs`: time since the last frame.
   */
  | { readonly type: 'end'; readonly status?: number; readonly byServer?: boolean; readonly quietMs: number }

export type Verdict =
  | { readonly kind: 'none' }
  /** The hello arrived in time: the transport delivers here (proof follows with the next frame). */
  | { readonly kind: 'trusted' }
  /** Hello plus a frame written after it (or a round trip): the stream is not held back by a proxy. */
  | { readonly kind: 'proven' }
  /** Reconnect on the same transport after a backoff delay. */
  | { readonly kind: 'retry'; readonly quietCut: boolean }
  /** The transport does not work through this network: move down, remember why. */
  | { readonly kind: 'fail'; readonly reason: FailureReason }

export interface StepContext {
  readonly heartbeatMs: number
  /** Idle cuts seen in a row on this subscription before this attempt (two in a row mean `idle-cut`). */
  readonly quietCuts: number
}

const NONE: Verdict = { kind: 'none' }
const ENDED: AttemptState = { kind: 'ended' }
const fail = (reason: FailureReason): [AttemptState, Verdict] => [ENDED, { kind: 'fail', reason }]
const retry = (quietCut: boolean): [AttemptState, Verdict] => [ENDED, { kind: 'retry', quietCut }]

export function initialState(transport: TransportName): AttemptState {
  return { kind: 'probing', transport, opened: false }
}

/** A cut counts as idle when nothing had arrived for a while, yet less than a heartbeat period. */
export function isQuietCut(quietMs: number, heartbeatMs: number): boolean {
  return quietMs >= Math.min(1000, heartbeatMs / 2)
}

export function step(state: AttemptState, input: AttemptInput, ctx: StepContext): [AttemptState, Verdict] {
  if (state.kind === 'ended') return [state, NONE]
  const ws = state.transport === 'websocket'
  const type = input.type
  if (state.kind === 'probing') {
    if (type === 'open') return [{ ...state, opened: true }, NONE]
    if (type === 'hello') {
      const proven = !!input.roundTrip
      return [
        { kind: 'live', transport: state.transport, frames: +proven, quietCuts: ctx.quietCuts },
        { kind: proven ? 'proven' : 'trusted' },
      ]
    }
    if (type === 'end') {
      if (input.byServer) return retry(false)
      return fail(ws ? (state.opened ? 'ws-silent' : 'ws-upgrade-refused') : 'http-error')
    }
    if (type === 'frame') return [state, NONE]
    // probe-timeout or silence: nothing usable arrived in time. A stream that brought no hello is buffered, even when
    // not its headers either (nginx buffering an HTTP/1.0 upstream holds them too); the subscription checks that the
    // server answers at all before it blames the transport.
    return fail(ws ? (state.opened ? 'ws-silent' : 'ws-upgrade-refused') : state.transport === 'longpoll' ? 'probe-timeout' : 'stream-buffered')
  }
  if (type === 'frame') return [{ ...state, frames: state.frames + 1 }, state.frames ? NONE : { kind: 'proven' }]
  // the hello came, but nothing written after it within the probe window: a proxy holds each write's tail
  if (type === 'probe-timeout') return state.frames ? [state, NONE] : fail('stream-delayed')
  if (type === 'silence') return fail('heartbeat-lost')
  if (type === 'delayed') return fail('stream-delayed')
  if (type !== 'end') return [state, NONE]
  if (input.byServer || input.status !== undefined) return retry(false)
  const quiet = isQuietCut(input.quietMs, ctx.heartbeatMs)
  // long-poll is never idle-cut: it shortens its hold instead
  return quiet && state.quietCuts && state.transport !== 'longpoll' ? fail('idle-cut') : retry(quiet)
}
