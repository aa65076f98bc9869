import { Client } from 'undici'
import { payload } from '../payload.js'
import type { SystemSpec } from '../systems.js'

export interface PublishRun {
  readonly sent: number
  readonly errors: number
  readonly firstError?: string
  /** Events per second actually sent. */
  readonly achievedRate: number
  readonly durationMs: number
  /** Sequence of the last event sent (sequences run on across runs). */
  readonly lastSeq: number
}

const MAX_IN_FLIGHT = 512
const TICK_MS = 2

/**
 * The one publisher: HTTP POSTs on one keep-alive, pipelined connection (one connection keeps publish order, so
 * each event's sequence number also orders the delivery), paced to a target rate. The send time goes into the
 * payload; when the server answers slower than the rate, requests queue and that queue time counts as latency.
 */
export class Publisher {
  private readonly client: Client
  private seq = 0

  constructor(
    port: number,
    private readonly spec: SystemSpec,
  ) {
    this.client = new Client(`http://127.0.0.1:${port}`, { pipelining: 32, keepAliveTimeout: 120_000 })
  }

  get lastSeq(): number {
    return this.seq
  }

  async run(rate: number, durationMs: number): Promise<PublishRun> {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000))
    const pending = new Set<Promise<void>>()
    let sent = 0
    let errors = 0
    let firstError: string | undefined
    const start = performance.now()
    const fire = (): void => {
      const seq = ++this.seq
      const done = this.client
        .request({
          path: this.spec.publishPath,
          method: 'POST',
          // Let undici pipeline POSTs: by default it waits for each POST's response before sending the next.
          idempotent: true,
          blocking: false,
          headers: { 'content-type': 'application/json' },
          body: this.spec.publishBody(payload(seq)),
        })
        .then(
          async (res) => {
            await res.body.dump()
            if (res.statusCode >= 300) {
              errors++
              firstError ??= `HTTP ${res.statusCode}`
            }
          },
          (error: unknown) => {
            errors++
            firstError ??= error instanceof Error ? error.message : String(error)
          },
        )
        .finally(() => pending.delete(done))
      pending.add(done)
      sent++
    }
    // Bounded by `total` events and by 2x the duration.
    while (sent < total) {
      const elapsed = performance.now() - start
      if (elapsed > durationMs * 2 + 1000) break
      const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1)
      while (sent < due && pending.size < MAX_IN_FLIGHT) fire()
      await new Promise((resolve) => setTimeout(resolve, TICK_MS))
    }
    const sendMs = performance.now() - start
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))])
    clearTimeout(timer)
    return {
      sent,
      errors,
      ...(firstError === undefined ? {} : { firstError }),
      achievedRate: (sent / Math.max(sendMs, durationMs)) * 1000,
      durationMs: Math.max(sendMs, durationMs),
      lastSeq: this.seq,
    }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}
