import type { NegotiateResponse, TransportName } from '@pushline/core/wire'
import { PROTOCOL_VERSION, TRANSPORT_NAMES } from '@pushline/core/wire'
import { ClientErrorCode, clientError, responseError } from './errors.js'

/** What the client works from after `GET <url>/negotiate`: absolute endpoint URLs and the server's timings. */
export interface Negotiated {
  readonly transports: readonly TransportName[]
  readonly endpoints: Readonly<Record<TransportName | 'publish', string>>
  readonly holdMs: number
  readonly heartbeatMs: number
}

export async function negotiate(base: string, fetchImpl: typeof fetch, signal: AbortSignal): Promise<Negotiated> {
  let res: Response
  try {
    res = await fetchImpl(`${base}/negotiate`, { signal })
  } catch (cause) {
    throw clientError(ClientErrorCode.Network, `cannot reach ${base}/negotiate`, cause)
  }
  if (!res.ok) throw await responseError(res)
  const body = (await res.json()) as NegotiateResponse
  if (body.protocol !== PROTOCOL_VERSION || !Array.isArray(body.transports)) {
    throw clientError(ClientErrorCode.Protocol, `unsupported negotiate answer (protocol ${String(body.protocol)})`)
  }
  const endpoints = {} as Record<TransportName | 'publish', string>
  for (const name of [...TRANSPORT_NAMES, 'publish'] as const) {
    const path = body.endpoints?.[name]
    if (!path) continue
    const url = new URL(path, `${base}/`)
    if (name === 'websocket') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    endpoints[name] = url.href
  }
  return {
    // only what we speak and what has an endpoint, in the server's order
    transports: (body.transports as readonly TransportName[]).filter((name) => TRANSPORT_NAMES.includes(name) && endpoints[name]),
    endpoints,
    holdMs: body.holdMs,
    heartbeatMs: body.heartbeatMs,
  }
}
