import type { TransportName } from '@pushline/core'
import type { FastifyBaseLogger } from 'fastify'

const DEBUG_LEVELS: ReadonlySet<string> = new Set(['debug', 'trace'])

/**
 * The debug lines of the connection lifecycle, one pair per connection whatever its transport: open (transport,
 * client key, user) and closed (the same, how long it lived and why it ended). Nothing is built unless the logger is at
 * debug level or below.
 */
export class ConnectionLog {
  constructor(
    readonly transport: TransportName,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** `user`: the identity's, when there is one (nothing else of the identity is logged). */
  opened(clientKey: string, user: string | undefined): void {
    if (!DEBUG_LEVELS.has(this.logger.level)) return
    this.logger.debug({ transport: this.transport, clientKey, user }, 'pushline: connection open')
  }

  closed(clientKey: string, openedAt: number, reason: string, user: string | undefined): void {
    if (!DEBUG_LEVELS.has(this.logger.level)) return
    const durationMs = Math.round(performance.now() - openedAt)
    this.logger.debug({ transport: this.transport, clientKey, user, durationMs, reason }, 'pushline: connection closed')
  }
}
