import { isPushlineError } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import { ServerErrors } from '../errors.js'
import type { AuthenticateTransport, ResolvedOptions } from '../options.js'
import type { IdentityFields, RegisteredIdentity } from '../register.js'
import { expiryOf } from './expiry.js'
import { tokenOf } from './token.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The identity `authenticate` returned for this request (a WebSocket's: its upgrade request), for app hooks. */
    pushlineIdentity: RegisteredIdentity | undefined
  }
}

/**
 * Admission's authenticate step: the `authenticate` hook turned into an identity or a coded 401, the same for the
 * four transports and publish. Without a hook there is nothing to ask and nothing to wait for (`undefined`).
 */
export class Authenticator {
  constructor(private readonly options: ResolvedOptions) {}

  get enabled(): boolean {
    return this.options.authenticate !== undefined
  }

  /** The bearer token of an HTTP request (header, or the opted-in query parameter). */
  tokenOf(request: FastifyRequest): string | undefined {
    return tokenOf(request, this.options.credentials?.queryParam)
  }

  /**
   * Resolves with the identity of `request` (`token`: the WebSocket `auth` message's; else the request's own), or
   * throws 401: RT_ERR_AUTH_UNAUTHENTICATED, RT_ERR_AUTH_EXPIRED, or the hook's own 4xx PushlineError.
   */
  identify(request: FastifyRequest, transport: AuthenticateTransport, token?: string): Promise<IdentityFields> | undefined {
    const hook = this.options.authenticate
    return hook ? this.ask(hook, request, transport, token ?? this.tokenOf(request)) : undefined
  }

  private async ask(
    hook: NonNullable<ResolvedOptions['authenticate']>,
    request: FastifyRequest,
    transport: AuthenticateTransport,
    token: string | undefined,
  ): Promise<IdentityFields> {
    let identity: IdentityFields | null | undefined
    try {
      identity = await hook(request, { token, transport })
    } catch (error) {
      if (isPushlineError(error) && error.statusCode >= 400 && error.statusCode < 500) throw error
      request.log.error({ err: error }, 'pushline: authenticate hook failed; refusing')
      throw ServerErrors.AuthUnauthenticated.create('authentication failed', { cause: error })
    }
    if (identity === null || identity === undefined) throw ServerErrors.AuthUnauthenticated.create()
    if (typeof identity !== 'object') {
      request.log.error('pushline: authenticate returned something that is not an identity object; refusing')
      throw ServerErrors.AuthUnauthenticated.create('authentication failed')
    }
    if (identity.user !== undefined && typeof identity.user !== 'string') {
      request.log.error('pushline: identity.user must be a string; refusing')
      throw ServerErrors.AuthUnauthenticated.create('authentication failed')
    }
    const expiresAt = expiryOf(identity)
    if (expiresAt !== undefined) {
      if (Number.isNaN(expiresAt)) {
        request.log.error('pushline: identity.expiresAt is neither ms since the epoch nor a valid Date; refusing')
        throw ServerErrors.AuthUnauthenticated.create('authentication failed')
      }
      if (expiresAt <= Date.now()) throw ServerErrors.AuthExpired.create()
    }
    request.pushlineIdentity = identity as RegisteredIdentity
    return identity
  }
}
