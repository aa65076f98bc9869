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
  /**
   * The connection ended. `status`: HTTP status when the server/proxy refused; `byServer`: the server said goodbye
   * with a close frame (shutdown, slow consumer); `quietMs`: time since the last frame.
   */
  | { readonly type: 'end'; readonly status?: number; readonly byServer?: boolean; readonly quietMs: number }

export type Verdict =
  | { readonly kind: 'none' }
  /** The hello arrived in time: the transport works here. */
  | { readonly kind: 'trusted' }
  /** Hello plus further traffic: enough to switch up to it from another transport. */
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
  if (state.kind === 'probing') {
    switch (input.type) {
      case 'open':
        return [{ ...state, opened: true }, NONE]
      case 'hello':
        return [
          { kind: 'live', transport: state.transport, frames: input.roundTrip ? 1 : 0, quietCuts: ctx.quietCuts },
          { kind: input.roundTrip ? 'proven' : 'trusted' },
        ]
      case 'frame':
        return [state, NONE]
      case 'probe-timeout':
      case 'silence':
        return [{ kind: 'ended' }, { kind: 'fail', reason: probeFailure(ws, state.opened) }]
      case 'end':
        if (input.byServer) return [{ kind: 'ended' }, { kind: 'retry', quietCut: false }]
        return [{ kind: 'ended' }, { kind: 'fail', reason: ws ? (state.opened ? 'ws-silent' : 'ws-upgrade-refused') : 'http-error' }]
    }
  }
  switch (input.type) {
    case 'open':
    case 'hello':
      return [state, NONE]
    case 'frame': {
      const next = { ...state, frames: state.frames + 1 }
      return [next, state.frames === 0 ? { kind: 'proven' } : NONE]
    }
    case 'probe-timeout':
      return [state, NONE]
    case 'silence':
      return [{ kind: 'ended' }, { kind: 'fail', reason: 'heartbeat-lost' }]
    case 'end': {
      if (input.byServer || input.status !== undefined) return [{ kind: 'ended' }, { kind: 'retry', quietCut: false }]
      const quiet = isQuietCut(input.quietMs, ctx.heartbeatMs)
      if (quiet && state.quietCuts >= 1 && state.transport !== 'longpoll') {
        return [{ kind: 'ended' }, { kind: 'fail', reason: 'idle-cut' }]
      }
      return [{ kind: 'ended' }, { kind: 'retry', quietCut: quiet }]
    }
  }
}

function probeFailure(ws: boolean, opened: boolean): FailureReason {
  if (ws) return opened ? 'ws-silent' : 'ws-upgrade-refused'
  return opened ? 'stream-buffered' : 'probe-timeout'
}
