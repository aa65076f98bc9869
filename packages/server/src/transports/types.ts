import type { EventLog, TransportName } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import type { Access } from '../access.js'
import type { ConnectionSet } from '../connections.js'
import type { FlushScheduler } from '../flush-scheduler.js'
import type { ConnectionLimiter } from '../limits/connection-limiter.js'
import type { RateLimiter } from '../limits/rate-limiter.js'
import type { TransportCounters } from '../metrics.js'
import type { ResolvedOptions } from '../options.js'
import type { Publisher } from '../publisher.js'

/** What the plugin gives a transport adapter: the log and the shared policies, so the adapter only translates. */
export interface TransportContext {
  readonly log: EventLog
  readonly options: ResolvedOptions
  readonly access: Access
  readonly limiter: ConnectionLimiter
  readonly publishRate: RateLimiter
  readonly publisher: Publisher
  readonly connections: ConnectionSet
  readonly flusher: FlushScheduler
  /** This transport's own counters. */
  readonly counters: TransportCounters
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
