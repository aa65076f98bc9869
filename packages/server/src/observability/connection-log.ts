import type { TransportName } from '@pushline/core'
import type { FastifyBaseLogger } from 'fastify'

const DEBUG_LEVELS: ReadonlySet<string> = new Set(['debug', 'trace'])

/**
 * The debug lines of the connection lifecycle, one pair per connection whatever its transport: open (transport,
 * client key) and closed (the same, how long it lived and why it ended). Nothing is built unless the logger is at
 * debug level or below.
 */
export class ConnectionLog {
  constructor(
    readonly transport: TransportName,
    private readonly logger: FastifyBaseLogger,
  ) {}

  opened(clientKey: string): void {
    if (!DEBUG_LEVELS.has(this.logger.level)) return
    this.logger.debug({ transport: this.transport, clientKey }, 'pushline: connection open')
  }

  closed(clientKey: string, openedAt: number, reason: string): void {
    if (!DEBUG_LEVELS.has(this.logger.level)) return
    const durationMs = Math.round(performance.now() - openedAt)
    this.logger.debug({ transport: this.transport, clientKey, durationMs, reason }, 'pushline: connection closed')
  }
}
