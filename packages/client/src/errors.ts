import { PushlineError } from '@pushline/core'
import { isObject } from './frames.js'

/** The codes the client raises itself; errors the server answers with keep the server's code. See docs/errors.md. */
export const ClientErrorCode = {
  /** The client was closed before the operation completed. */
  Closed: 'RT_ERR_CLIENT_CLOSED',
  /** The server could not be reached (network error, connection refused). */
  Network: 'RT_ERR_CLIENT_NETWORK',
  /** No answer within the time allowed. */
  Timeout: 'RT_ERR_CLIENT_TIMEOUT',
  /** The server answered something that is not protocol 1. */
  Protocol: 'RT_ERR_CLIENT_PROTOCOL',
  /** The WebSocket closed after a publish was sent and before its ack: it may or may not have been appended. */
  PublishUnconfirmed: 'RT_ERR_CLIENT_PUBLISH_UNCONFIRMED',
  /** The application's onEvent/onReset threw; delivery went on. */
  Handler: 'RT_ERR_CLIENT_HANDLER',
  /** No WebSocket implementation: not in the browser, `ws` not installed and no `WebSocket` option. */
  NoWebSocket: 'RT_ERR_CLIENT_NO_WEBSOCKET',
  /** The options given to createClient or subscribe are not valid (a relative URL outside a browser, a bad value). */
  Options: 'RT_ERR_CLIENT_OPTIONS',
  /** The server enables none of the transports the client may use (the `transports` option). */
  NoTransport: 'RT_ERR_CLIENT_NO_TRANSPORT',
  /** publish() data that JSON cannot carry faithfully (undefined, BigInt, NaN, a Date, binary, a cycle...). */
  DataInvalid: 'RT_ERR_CLIENT_DATA_INVALID',
  /** A subscription would take the connection's channels past the server's `maxChannels`. */
  ChannelLimit: 'RT_ERR_CLIENT_CHANNEL_LIMIT',
  /** A channel name the server would refuse (1-128 of A-Z a-z 0-9 _ . : @ / -); the same code as the server's. */
  ChannelInvalid: 'RT_ERR_CHANNEL_INVALID',
  /** `getToken()` threw, rejected or gave something that is not a string: nothing was sent; it is asked again later. */
  Token: 'RT_ERR_CLIENT_TOKEN',
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

/** `statusCode` 400 for a refusal of what the app asked, before anything is sent (what a server would answer). */
export function clientError(code: ClientErrorCode, message: string, cause?: unknown, statusCode = 500): PushlineError {
  return new PushlineError(code, message, { cause, statusCode })
}

/** A coded error from the server; a refusal's `channels` (the ones the server refused) kept in `details`. */
export const wireError = (code: string, message: string, statusCode: number, channels?: unknown): PushlineError =>
  new PushlineError(code, message, { statusCode, details: Array.isArray(channels) ? { channels } : undefined })

/** Turns a non-2xx HTTP answer into the server's coded error when it sent one, else a protocol error. */
export async function responseError(res: Response): Promise<PushlineError> {
  const status = res.status
  const body: unknown = await res.json().catch(() => undefined)
  const error = isObject(body) && body.error
  return isObject(error) && typeof error.code === 'string' && typeof error.message === 'string'
    ? wireError(error.code, error.message, status, error.channels)
    : // not a coded error (a proxy's error page)
      new PushlineError(ClientErrorCode.Protocol, `HTTP ${status}`, { statusCode: status })
}
