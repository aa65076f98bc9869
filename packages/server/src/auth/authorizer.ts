import { isPushlineError } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import { ServerErrors } from '../errors.js'
import type { AuthorizeAction, ResolvedOptions } from '../options.js'
import type { IdentityFields, RegisteredIdentity } from '../register.js'

type Hook = NonNullable<ResolvedOptions['authorize']>

/**
 * Admission's authorize step. The hook is asked once with all the channels; when it refuses several, it is asked
 * once per channel so that the 403 names the refused ones (`error.channels`): a multiplexing client fails only the
 * subscriptions that asked for them.
 */
export class Authorizer {
  constructor(private readonly hook: Hook | undefined) {}

  /** Resolves when allowed, else throws (see `ask`). Without a hook: `undefined`, nothing to wait for. */
  authorize(
    identity: IdentityFields | undefined,
    request: FastifyRequest,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<void> | undefined {
    return this.hook ? this.ask(this.hook, identity as RegisteredIdentity | undefined, request, channels, action) : undefined
  }

  /** 403 RT_ERR_AUTH_FORBIDDEN with `channels` for false, the hook's own 4xx PushlineError, 403 for any other throw. */
  private async ask(
    hook: Hook,
    identity: RegisteredIdentity | undefined,
    request: FastifyRequest,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<void> {
    let allowed: boolean
    try {
      allowed = await hook(identity, { channels, action, request })
    } catch (error) {
      if (isPushlineError(error) && error.statusCode >= 400 && error.statusCode < 500) throw error
      request.log.error({ err: error }, 'pushline: authorize hook failed; denying')
      throw ServerErrors.AuthForbidden.create(`not allowed to ${action}`, { cause: error, details: { channels: [...channels] } })
    }
    if (allowed === true) return
    const refused = channels.length > 1 ? await this.refusedOf(hook, identity, request, channels, action) : [...channels]
    throw ServerErrors.AuthForbidden.create(`not allowed to ${action} on ${refused.join(', ')}`, { details: { channels: refused } })
  }

  /** The channels the hook refuses one by one (all of them if it allows each alone but not together). */
  private async refusedOf(
    hook: Hook,
    identity: RegisteredIdentity | undefined,
    request: FastifyRequest,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<string[]> {
    const answers = await Promise.all(
      channels.map(async (channel) => {
        try {
          return (await hook(identity, { channels: [channel], action, request })) === true
        } catch {
          return false
        }
      }),
    )
    const refused = channels.filter((_channel, index) => !answers[index])
    return refused.length > 0 ? refused : [...channels]
  }
}
