import { assertChannelName, type EventLog, type LogEvent, validateChannelData } from '@pushline/core'
import { z } from 'zod'
import { badRequest } from './errors.js'
import type { MetricsState } from './metrics.js'
import type { ResolvedOptions } from './options.js'
import { assertDeclared } from './subscription.js'

const publishBody = z.object({ channel: z.string(), data: z.unknown() }).loose()

/** The one way events enter the log, whether from HTTP, a WebSocket message or `app.pushline.publish`. */
export class Publisher {
  constructor(
    private readonly log: () => EventLog,
    private readonly options: ResolvedOptions,
    private readonly metrics: MetricsState,
  ) {}

  /** `{"channel","data"}` from an HTTP body or a WS message, checked for shape. */
  parseBody(body: unknown): { channel: string; data: unknown } {
    const parsed = publishBody.safeParse(body)
    if (!parsed.success || !('data' in parsed.data) || parsed.data.data === undefined) {
      throw badRequest('publish needs a JSON object {"channel": string, "data": any JSON}')
    }
    const channel = assertChannelName(parsed.data.channel)
    assertDeclared(channel, this.options)
    return { channel, data: parsed.data.data }
  }

  /** Validates the channel (name, declaration, schema) and returns the data to append. */
  check(channel: string, data: unknown): unknown {
    assertChannelName(channel)
    assertDeclared(channel, this.options)
    return this.options.channels ? validateChannelData(this.options.channels, channel, data) : data
  }

  async publish(channel: string, data: unknown): Promise<LogEvent> {
    try {
      const event = await this.log().append(channel, this.check(channel, data))
      this.metrics.publishes++
      return event
    } catch (error) {
      this.metrics.publishErrors++
      throw error
    }
  }
}
