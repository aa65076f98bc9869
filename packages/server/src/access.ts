import { CURSOR_HEADER } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import type { ResolvedOptions } from './options.js'
import type { IdentityFields, RegisteredIdentity } from './register.js'

/** Who a request counts as for the limits, and the `Origin` policy with its CORS headers, for every endpoint. */
export class Access {
  constructor(private readonly options: ResolvedOptions) {}

  /**
   * The per-client limits' key: `limits.clientKey(request, identity)` when given; else `user:<id>` for an identity
   * with a user; else the request's address (fastify's `request.ip`, which follows `trustProxy`).
   */
  clientKey(request: FastifyRequest, identity: IdentityFields | undefined): string {
    const custom = this.options.limits.clientKey
    if (custom) return custom(request, identity as RegisteredIdentity | undefined)
    return identity?.user !== undefined ? `user:${identity.user}` : request.ip
  }

  /** False when `allowedOrigins` is not set: every request may be served, and none gets CORS headers. */
  get checksOrigins(): boolean {
    return this.options.allowedOrigins !== undefined
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

  /**
   * CORS headers for an allowed cross-origin request (none when `allowedOrigins` is not set). Credentials (cookies,
   * `Authorization`) are allowed only for an explicit list or function of origins; `'*'` answers `*` without them.
   */
  corsHeaders(origin: string | undefined): Record<string, string> | undefined {
    const allowed = this.options.allowedOrigins
    if (allowed === undefined || origin === undefined) return undefined
    const expose = `Retry-After, ${CURSOR_HEADER}`
    if (allowed === '*') return { 'access-control-allow-origin': '*', 'access-control-expose-headers': expose }
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': expose,
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
