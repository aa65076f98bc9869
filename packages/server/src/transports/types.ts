import type { TransportName } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import type { Access } from '../access.js'
import type { Admission } from '../admission.js'
import type { StreamContext } from '../lifecycle/stream-connection.js'
import type { RateLimiter } from '../limits/rate-limiter.js'
import type { HoldRegistry } from '../lifecycle/hold-registry.js'
import type { ResolvedOptions } from '../options.js'
import type { Publisher } from '../publisher.js'

/**
 * What the plugin gives a transport adapter: the log, the admission pipeline and what the connection lifecycle
 * needs, so the adapter only translates frames to its wire.
 */
export interface TransportContext extends StreamContext {
  readonly options: ResolvedOptions
  readonly access: Access
  readonly admission: Admission
  readonly publisher: Publisher
  /** Subscribe messages per WebSocket connection (each connection keeps its own bucket). */
  readonly subscribeRate: RateLimiter
  /** Held long-polls by channel, so that a publish answers after the polls it woke. */
  readonly holds: HoldRegistry
}

/** The one server-side transport interface: a name, an endpoint, and the routes that serve it. */
export interface ServerTransport {
  readonly name: TransportName
  /** Path under the prefix, e.g. `/sse`. */
  readonly path: string
  /** HTTP methods a browser may send cross-origin (answered in CORS preflight). */
  readonly corsMethods: readonly string[]
  register(scope: FastifyInstance, context: TransportContext): void
}
