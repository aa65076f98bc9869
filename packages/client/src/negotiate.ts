import type { NegotiateResponse, TransportName } from '@pushline/core/wire'
import { PROTOCOL_VERSION } from '@pushline/core/wire'
import { ClientErrorCode, clientError, responseError } from './errors.js'

/** What the client works from after `GET <url>/negotiate`: absolute endpoint URLs and the server's timings. */
export interface Negotiated {
  readonly transports: readonly TransportName[]
  readonly endpoints: Readonly<Record<TransportName | 'publish', string>>
  readonly holdMs: number
  readonly heartbeatMs: number
}

export async function negotiate(
  base: string,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
  known: readonly string[],
): Promise<Negotiated> {
  let res: Response
  try {
    res = await fetchImpl(`${base}/negotiate`, { signal })
  } catch (cause) {
    throw clientError(ClientErrorCode.Network, `cannot reach ${base}`, cause)
  }
  if (!res.ok) throw await responseError(res)
  const body = (await res.json()) as NegotiateResponse
  if (body.protocol !== PROTOCOL_VERSION) throw clientError(ClientErrorCode.Protocol, `protocol ${body.protocol}`)
  const endpoints = {} as Record<TransportName | 'publish', string>
  for (const [name, path] of Object.entries(body.endpoints) as [TransportName, string][]) {
    const url = new URL(path, `${base}/`).href
    endpoints[name] = name === 'websocket' ? url.replace(/^http/, 'ws') : url
  }
  return {
    // only what we speak, in the server's order
    transports: body.transports.filter((name) => known.includes(name)),
    endpoints,
    holdMs: body.holdMs,
    heartbeatMs: body.heartbeatMs,
  }
}
