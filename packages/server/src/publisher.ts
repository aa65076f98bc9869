import { assertChannelName, type EventLog, type LogEvent, validateChannelData } from '@pushline/core'
import { badRequest } from './errors.js'
import type { HoldRegistry } from './lifecycle/hold-registry.js'
import type { MetricsState } from './metrics.js'
import type { ResolvedOptions } from './options.js'
import { traced } from './observability/tracing.js'
import { assertDeclared } from './subscription.js'

/** A publish request whose channel name is checked and declared. */
export interface CheckedPublish {
  readonly channel: string
  readonly data: unknown
}

/** The one way events enter the log, whether from HTTP, a WebSocket message or `app.pushline.publish`. */
export class Publisher {
  constructor(
    private readonly log: () => EventLog,
    private readonly options: ResolvedOptions,
    private readonly metrics: MetricsState,
    private readonly holds: HoldRegistry,
  ) {}

  /**
   * `{"channel","data"}` from an HTTP body, checked for shape and channel. Plain checks rather than a schema: this
   * runs on every publish, and two fields do not need one.
   */
  parseBody(body: unknown): CheckedPublish {
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      !('channel' in body && 'data' in body) ||
      typeof body.channel !== 'string' ||
      body.data === undefined
    ) {
      throw badRequest('publish needs a JSON object {"channel": string, "data": any JSON}')
    }
    return { channel: this.checkChannel(body.channel), data: body.data }
  }

  /** Checks the channel (name, declaration) first: `app.pushline.publish` and WebSocket publishes. */
  async publish(channel: string, data: unknown): Promise<LogEvent> {
    let checked: string
    try {
      checked = this.checkChannel(channel)
    } catch (error) {
      this.metrics.publishErrors++
      throw error
    }
    return this.append({ channel: checked, data })
  }

  /**
   * Validates the data against the channel's schema, if any, and appends it. Resolves after the long-polls the
   * event woke have answered, so that a publisher's answer never overtakes its subscribers' (see HoldRegistry).
   */
  async append({ channel, data }: CheckedPublish): Promise<LogEvent> {
    try {
      const event = await traced(
        this.options.tracer,
        'pushline.publish',
        { 'pushline.channel': channel },
        () => this.log().append(channel, this.options.channels ? validateChannelData(this.options.channels, channel, data) : data),
        (appended) => ({ 'pushline.cursor': appended.cursor }),
      )
      this.metrics.publishes++
      const settling = this.holds.settled(channel)
      if (settling) await settling
      return event
    } catch (error) {
      this.metrics.publishErrors++
      throw error
    }
  }

  private checkChannel(channel: string): string {
    assertChannelName(channel)
    assertDeclared(channel, this.options)
    return channel
  }
}
