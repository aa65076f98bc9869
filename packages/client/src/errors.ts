import { PushlineError } from '@pushline/core'

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
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

export function clientError(code: ClientErrorCode, message: string, cause?: unknown): PushlineError {
  return new PushlineError(code, message, { cause })
}

/** Turns a non-2xx HTTP answer into the server's coded error when it sent one, else a protocol error. */
export async function responseError(res: Response): Promise<PushlineError> {
  const status = res.status
  try {
    const { code, message } = ((await res.json()) as { error: { code: string; message: string } }).error
    return new PushlineError(code, message, { statusCode: status })
  } catch {
    // not a coded error (a proxy's error page)
    return new PushlineError(ClientErrorCode.Protocol, `HTTP ${status}`, { statusCode: status })
  }
}
