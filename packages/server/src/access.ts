import { CURSOR_HEADER, isPushlineError, PushlineError } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import { ServerErrorCode } from './errors.js'
import type { AuthorizeAction, ResolvedOptions } from './options.js'

/** Who may connect and do what: client keys, the `authorize` hook and the `Origin` policy, for every endpoint. */
export class Access {
  constructor(private readonly options: ResolvedOptions) {}

  clientKey(request: FastifyRequest): string {
    const custom = this.options.limits.clientKey
    return custom ? custom(request) : request.ip
  }

  /**
   * Resolves when allowed; throws 403 (false), the hook's own PushlineError, or 403 for any other throw (fail
   * closed). Without a hook there is nothing to wait for: `undefined`, no promise.
   */
  authorize(request: FastifyRequest, channels: readonly string[], action: AuthorizeAction): Promise<void> | undefined {
    const hook = this.options.authorize
    return hook ? this.ask(hook, request, channels, action) : undefined
  }

  private async ask(
    hook: NonNullable<ResolvedOptions['authorize']>,
    request: FastifyRequest,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<void> {
    let allowed: boolean
    try {
      allowed = await hook(request, { channels, action })
    } catch (error) {
      if (isPushlineError(error) && error.statusCode >= 400 && error.statusCode < 500) throw error
      request.log.error({ err: error }, 'pushline: authorize hook failed; denying')
      throw new PushlineError(ServerErrorCode.AuthForbidden, `not allowed to ${action}`, { statusCode: 403, cause: error })
    }
    if (allowed !== true) {
      throw new PushlineError(ServerErrorCode.AuthForbidden, `not allowed to ${action} on ${channels.join(', ')}`, {
        statusCode: 403,
      })
    }
  }

  /**
   * Whether a request with this `Origin` may be served. Requests without Origin (non-browser clients) and
   * same-origin requests always may; cross-origin ones only when `allowedOrigins` allows them (or is not set).
   */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    const allowed = this.options.allowedOrigins
    if (allowed === undefined || origin === undefined || allowed === '*') return true
    if (host !== undefined && sameHost(origin, host)) return true
    return typeof allowed === 'function' ? allowed(origin) === true : allowed.includes(origin)
  }

  /** CORS headers for an allowed cross-origin request (none when `allowedOrigins` is not set). */
  corsHeaders(origin: string | undefined): Record<string, string> | undefined {
    if (this.options.allowedOrigins === undefined || origin === undefined) return undefined
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': `Retry-After, ${CURSOR_HEADER}`,
      vary: 'Origin',
    }
  }
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
