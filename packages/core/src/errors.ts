/**
 * Every error pushline lets cross a package boundary is a PushlineError: a stable `code` (`RT_ERR_<AREA>_<WHAT>`),
 * the HTTP status it maps to where one applies, and the underlying `cause`. Codes are documented in docs/errors.md.
 */
export class PushlineError extends Error {
  override readonly name = 'PushlineError'
  readonly code: string
  readonly statusCode: number
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.statusCode = options.statusCode ?? 500
    this.details = options.details
  }

  /** The wire shape of protocol 1: `{"error":{"code","message"}}`. */
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } }
  }
}

export function isPushlineError(value: unknown): value is PushlineError {
  return value instanceof PushlineError
}

/** The codes raised by the core package. Server and client packages add their own areas. */
export const CoreErrorCode = {
  CursorMalformed: 'RT_ERR_CURSOR_MALFORMED',
  ChannelInvalid: 'RT_ERR_CHANNEL_INVALID',
  PayloadInvalid: 'RT_ERR_PAYLOAD_INVALID',
  PayloadTooLarge: 'RT_ERR_PAYLOAD_TOO_LARGE',
  PayloadSchema: 'RT_ERR_PAYLOAD_SCHEMA',
  LogClosed: 'RT_ERR_LOG_CLOSED',
  LogAborted: 'RT_ERR_LOG_ABORTED',
  LogUnavailable: 'RT_ERR_LOG_UNAVAILABLE',
  ConfigInvalid: 'RT_ERR_CONFIG_INVALID',
} as const
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode]
