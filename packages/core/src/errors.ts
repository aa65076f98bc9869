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

  /**
   * The wire shape of protocol 1: `{"error":{"code","message"}}`, plus `channels` when the error names the channels
   * it refused (`details.channels`, e.g. 403 RT_ERR_AUTH_FORBIDDEN of a multi-channel subscription).
   */
  toJSON(): { error: { code: string; message: string; channels?: string[] } } {
    const channels = this.details?.channels
    if (Array.isArray(channels) && channels.every((channel) => typeof channel === 'string')) {
      return { error: { code: this.code, message: this.message, channels: [...channels] } }
    }
    return { error: { code: this.code, message: this.message } }
  }
}

export function isPushlineError(value: unknown): value is PushlineError {
  return value instanceof PushlineError
}

/** How an error shows on HTTP: as the answer's status, with `Retry-After`, only inside a `close` frame, or not at all. */
export type HttpShape = 'answer' | 'retry' | 'close-frame' | 'none'
/** How it shows on a WebSocket: a close code, an HTTP answer before the upgrade, an `error` frame only, or not at all. */
export type WsShape = number | 'before-upgrade' | 'error-frame' | 'none'

/** One error, declared once: everything a throw site, the wire and docs/errors.md need to know about it. */
export interface ErrorDeclaration {
  readonly code: string
  readonly status: number
  /** The message when the throw site gives none. */
  readonly message: string
  /** The docs' "meaning" column. */
  readonly meaning: string
  readonly http?: HttpShape
  readonly ws?: WsShape
}

/** A declared error: `kind.create(message?)` builds it, `kind.code` names it (the way `@fastify/error` does it). */
export class ErrorKind {
  readonly code: string
  readonly status: number
  readonly message: string
  readonly meaning: string
  readonly http: HttpShape
  readonly ws: WsShape

  constructor(declaration: ErrorDeclaration) {
    this.code = declaration.code
    this.status = declaration.status
    this.message = declaration.message
    this.meaning = declaration.meaning
    this.http = declaration.http ?? 'answer'
    this.ws = declaration.ws ?? 'none'
  }

  create(message: string = this.message, options: { cause?: unknown; details?: Record<string, unknown> } = {}): PushlineError {
    return new PushlineError(this.code, message, { statusCode: this.status, ...options })
  }
}
