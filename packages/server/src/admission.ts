import type { FastifyRequest } from 'fastify'
import type { Access } from './access.js'
import type { ConnectionSet } from './connections.js'
import { ServerErrors } from './errors.js'
import type { ConnectionLimiter } from './limits/connection-limiter.js'
import type { RateLimiter } from './limits/rate-limiter.js'
import type { TransportCounters } from './metrics.js'
import type { AuthorizeAction } from './options.js'

/**
 * The one admission pipeline of the four transports and of publish. Every request passes the same steps, in this
 * order, and the first that refuses answers:
 * 1. origin: `allowedOrigins` (every request under the prefix, before routing): 403 RT_ERR_ORIGIN_FORBIDDEN;
 * 2. closing: the server is shutting down: 503 RT_ERR_SERVER_CLOSING;
 * 3. limits: a connection slot (streams, WebSocket upgrades, long-polls) or a publish token: 429 + Retry-After;
 * 4. authorize: the `authorize` hook, for the channels and the action: 401/403 (a WebSocket asks it for every
 *    subscribe and publish message, since that is where its channels come).
 * A slot taken in step 3 belongs to the connection from then on; it is given back if step 4 refuses.
 */
export class Admission {
  constructor(
    private readonly access: Access,
    private readonly limiter: ConnectionLimiter,
    private readonly publishRate: RateLimiter,
    private readonly connections: ConnectionSet,
  ) {}

  /** Step 1, for every request (the HTTP surface's onRequest hook). */
  origin(request: FastifyRequest): void {
    const origin = request.headers.origin
    if (!this.access.originAllowed(origin, request.headers.host)) {
      throw ServerErrors.OriginForbidden.create(`origin ${JSON.stringify(origin)} is not allowed`)
    }
  }

  /** Steps 2-4 for a subscription over HTTP: resolves with the client key holding the slot. */
  async subscribe(request: FastifyRequest, channels: readonly string[], counters: TransportCounters): Promise<string> {
    const key = this.connect(request, counters)
    try {
      await this.access.authorize(request, channels, 'subscribe')
    } catch (error) {
      this.limiter.give(key)
      counters.refused++
      throw error
    }
    return key
  }

  /** Steps 2-3 for a WebSocket upgrade (its step 4 comes with each message): the client key holding the slot. */
  connect(request: FastifyRequest, counters: TransportCounters): string {
    try {
      this.open()
      const key = this.access.clientKey(request)
      this.limiter.take(key)
      return key
    } catch (error) {
      counters.refused++
      throw error
    }
  }

  /** Steps 2-3 for a publish (before its body is read): a token of the client's publish rate. */
  publishing(key: string): void {
    this.open()
    this.publishRate.take(key)
  }

  /** Step 4: the `authorize` hook, when there is one (`undefined` then: nothing to wait for). */
  authorize(
    request: FastifyRequest | undefined,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<void> | undefined {
    return request ? this.access.authorize(request, channels, action) : undefined
  }

  /** Gives back a slot of `subscribe` / `connect`. */
  release(key: string): void {
    this.limiter.give(key)
  }

  clientKey(request: FastifyRequest): string {
    return this.access.clientKey(request)
  }

  private open(): void {
    if (this.connections.closing) throw ServerErrors.ServerClosing.create()
  }
}
