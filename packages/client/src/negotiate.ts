import { PushlineError } from '@pushline/core'
import type { LongpollFormat, TransportName } from '@pushline/core/wire'
import { PROTOCOL_VERSION } from '@pushline/core/wire'
import { ClientErrorCode, clientError, responseError } from './errors.js'
import { cursorOf, isObject } from './frames.js'

/** What the client works from after `GET <url>/negotiate`: absolute endpoint URLs and the server's timings. */
export interface Negotiated {
  readonly transports: readonly TransportName[]
  readonly endpoints: Readonly<Partial<Record<TransportName | 'publish', string>>>
  readonly holdMs: number
  readonly heartbeatMs: number
  /** The log's head when the server answered (protocol 1 extension; absent from older servers). */
  readonly cursor: string | undefined
  /** Channels one subscription request may carry (extension; 64 when the server does not say). */
  readonly maxChannels: number
  /**
   * The long-poll answer format polls ask for (`format=`, an extension): `runs` when the server lists it, else none
   * (protocol 1's body). A server listing only `compact` (before `runs`) is polled for protocol 1's body: this client
   * reads the one format it asks for.
   */
  readonly pollFormat: LongpollFormat | undefined
}

const isMs = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value < 1e9

/** Fetches and checks the negotiate answer; anything that is not protocol 1 is RT_ERR_CLIENT_PROTOCOL. */
export async function negotiate(base: string, fetchImpl: typeof fetch, init: RequestInit, known: readonly string[]): Promise<Negotiated> {
  let body: unknown
  try {
    const res = await fetchImpl(`${base}/negotiate`, init)
    if (!res.ok) throw await responseError(res)
    body = await res.json()
  } catch (cause) {
    if (cause instanceof PushlineError) throw cause
    const timedOut = cause instanceof Error && cause.name === 'AbortError'
    throw clientError(timedOut ? ClientErrorCode.Timeout : ClientErrorCode.Network, `cannot reach ${base}`, cause)
  }
  const paths = isObject(body) && body.endpoints
  if (!isObject(body) || body.protocol !== PROTOCOL_VERSION || !isObject(paths) || !Array.isArray(body.transports) || !isMs(body.holdMs) || !isMs(body.heartbeatMs)) {
    throw clientError(ClientErrorCode.Protocol, 'negotiate: not protocol 1')
  }
  const endpoints: Partial<Record<string, string>> = {}
  for (const name of [...known, 'publish']) {
    const path = paths[name]
    // ws: and wss: for the WebSocket, from the page's http(s)
    if (typeof path === 'string') endpoints[name] = new URL(path, `${base}/`).href.replace(/^http/, name === 'websocket' ? 'ws' : 'http')
  }
  const limits = body.limits
  const transports: unknown[] = body.transports
  return {
    // only what we speak and the server says where to find, in the server's order
    transports: transports.filter((name): name is TransportName => typeof name === 'string' && !!endpoints[name]),
    endpoints,
    holdMs: body.holdMs,
    heartbeatMs: body.heartbeatMs,
    cursor: cursorOf(body),
    maxChannels: isObject(limits) && typeof limits.maxChannels === 'number' ? limits.maxChannels : 64,
    pollFormat: pollFormatOf(body.longpollFormats),
  }
}

/** The long-poll format this client reads, when the server lists it (`longpollFormats`). */
function pollFormatOf(listed: unknown): LongpollFormat | undefined {
  return Array.isArray(listed) && listed.includes('runs') ? 'runs' : undefined
}
