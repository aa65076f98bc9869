import type { FastifyRequest } from 'fastify'
import type { Access } from './access.js'
import type { Authenticator } from './auth/authenticator.js'
import type { Authorizer } from './auth/authorizer.js'
import type { ConnectionSet } from './connections.js'
import { ServerErrors } from './errors.js'
import type { ConnectionLimiter } from './limits/connection-limiter.js'
import type { RateLimiter } from './limits/rate-limiter.js'
import type { TransportCounters } from './metrics.js'
import type { AuthenticateTransport, AuthorizeAction } from './options.js'
import type { IdentityFields } from './register.js'

/** A subscription admitted: the client key holding its slot, and who it is (none without an authenticate hook). */
export interface Admitted {
  readonly key: string
  readonly identity: IdentityFields | undefined
}

/**
 * The one admission pipeline of the four transports and of publish. Every request passes the same steps, in this
 * order, and the first that refuses answers:
 * 1. origin: `allowedOrigins` (every request under the prefix, before routing): 403 RT_ERR_ORIGIN_FORBIDDEN;
 * 2. closing: the server is shutting down: 503 RT_ERR_SERVER_CLOSING;
 * 3. authenticate: the `authenticate` hook turns the credentials into an identity: 401 RT_ERR_AUTH_*;
 * 4. limits: a connection slot (streams, WebSockets, long-polls) or a publish token, keyed by the identity (else the
 *    address): 429 + Retry-After;
 * 5. authorize: the `authorize` hook, for the identity, the channels and the action: 403 (with `channels`).
 * A WebSocket passes 2 and 4 (keyed by address) before the upgrade; 3 comes with its first message (its `auth`
 * message, or the upgrade's own headers), which moves its slot to the identity's key, and 5 with each subscribe and
 * publish message. A slot taken in step 4 belongs to the connection from then on; it is given back if step 5 refuses.
 */
export class Admission {
  constructor(
    private readonly access: Access,
    readonly authenticator: Authenticator,
    private readonly authorizer: Authorizer,
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

  /**
   * Steps 2-5 for a subscription over HTTP: the client key holding the slot and the identity. Without `authenticate`
   * and `authorize` hooks nothing is asked, so it answers at once (no promise: a long-poll's hot path, issue 15);
   * with them it resolves once they have. Refusals throw (or reject), counted in `refused`.
   */
  subscribe(
    request: FastifyRequest,
    channels: readonly string[],
    counters: TransportCounters,
    transport: AuthenticateTransport,
  ): Admitted | Promise<Admitted> {
    let identifying: Promise<IdentityFields> | undefined
    try {
      this.open()
      identifying = this.authenticator.identify(request, transport)
    } catch (error) {
      counters.refused++
      throw error
    }
    if (!identifying) return this.admit(request, undefined, channels, counters)
    return identifying.then(
      (identity) => this.admit(request, identity, channels, counters),
      (error: unknown) => {
        counters.refused++
        throw error
      },
    )
  }

  /** Steps 4 and 5 of `subscribe`, once the identity is known. */
  private admit(
    request: FastifyRequest,
    identity: IdentityFields | undefined,
    channels: readonly string[],
    counters: TransportCounters,
  ): Admitted | Promise<Admitted> {
    let key: string
    try {
      key = this.access.clientKey(request, identity)
      this.limiter.take(key)
    } catch (error) {
      counters.refused++
      throw error
    }
    let authorizing: Promise<void> | undefined
    try {
      authorizing = this.authorizer.authorize(identity, request, channels, 'subscribe')
    } catch (error) {
      this.refuseSlot(key, counters)
      throw error
    }
    const admitted: Admitted = { key, identity }
    if (!authorizing) return admitted
    return authorizing.then(
      () => admitted,
      (error: unknown) => {
        this.refuseSlot(key, counters)
        throw error
      },
    )
  }

  /** `authorize` refused: the slot taken for it goes back, and the refusal is counted. */
  private refuseSlot(key: string, counters: TransportCounters): void {
    this.limiter.give(key)
    counters.refused++
  }

  /** Steps 2 and 4 for a WebSocket upgrade, keyed by address (see `rekey`): the client key holding the slot. */
  connect(request: FastifyRequest, counters: TransportCounters): string {
    try {
      this.open()
      const key = this.access.clientKey(request, undefined)
      this.limiter.take(key)
      return key
    } catch (error) {
      counters.refused++
      throw error
    }
  }

  /**
   * A WebSocket's identity is known: its slot moves from `from` (the address) to the identity's key. Resolves with
   * the key now held; throws 429 (the slot given back) when the identity has no slot left.
   */
  rekey(from: string, request: FastifyRequest, identity: IdentityFields | undefined): string {
    const to = this.access.clientKey(request, identity)
    if (to === from) return from
    this.limiter.give(from)
    try {
      this.limiter.take(to)
    } catch (error) {
      this.limiter.take(from)
      throw error
    }
    return to
  }

  /** Steps 2-4 for an HTTP publish, from its headers (before its body is read): its identity. */
  publishingFrom(request: FastifyRequest): Promise<IdentityFields | undefined> | undefined {
    this.open()
    const identifying = this.authenticator.identify(request, 'publish')
    if (!identifying) {
      this.publishRate.take(this.access.clientKey(request, undefined))
      return undefined
    }
    return identifying.then((identity) => {
      this.publishRate.take(this.access.clientKey(request, identity))
      return identity
    })
  }

  /** Steps 2 and 4 for a WebSocket publish (step 3 was its connection's): a token of the client's publish rate. */
  publishing(key: string): void {
    this.open()
    this.publishRate.take(key)
  }

  /** Step 5: the `authorize` hook, when there is one (`undefined` then: nothing to wait for). */
  authorize(
    identity: IdentityFields | undefined,
    request: FastifyRequest,
    channels: readonly string[],
    action: AuthorizeAction,
  ): Promise<void> | undefined {
    return this.authorizer.authorize(identity, request, channels, action)
  }

  /** Gives back a slot of `subscribe` / `connect`. */
  release(key: string): void {
    this.limiter.give(key)
  }

  private open(): void {
    if (this.connections.closing) throw ServerErrors.ServerClosing.create()
  }
}
