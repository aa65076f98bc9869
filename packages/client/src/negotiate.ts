import { PushlineError } from '@pushline/core'
import type { TransportName } from '@pushline/core/wire'
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
  /** The server answers polls asked with `format=compact` in the compact format (extension; false when it does not say). */
  readonly compactPolls: boolean
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
    compactPolls: Array.isArray(body.longpollFormats) && body.longpollFormats.includes('compact'),
  }
}
