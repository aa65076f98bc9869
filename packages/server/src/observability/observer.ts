import type { MetricsState } from '../metrics.js'
import { takeFramed } from './delivery-lag.js'
import type { FallbackReason } from './fallbacks.js'

export type PublishTransport = 'http' | 'websocket'

/**
 * The hooks the routes, transports and flush scheduler call: one call each, at a point that happens once per
 * publish, per refused upgrade or per flush (never per subscriber). Histograms are observed only when the
 * Prometheus endpoint is on.
 */
export class Observer {
  constructor(private readonly metrics: MetricsState) {}

  fallback(reason: FallbackReason): void {
    this.metrics.fallbacks[reason]++
  }

  /** A publish was answered `elapsedMs` after it was received. */
  publishAnswered(transport: PublishTransport, elapsedMs: number, ok: boolean): void {
    this.metrics.histograms?.publishDuration.observe({ transport, outcome: ok ? 'ok' : 'error' }, elapsedMs / 1000)
  }

  /** A flush ended at `end` (performance.now()): the lag of the events framed since the previous one. */
  readonly flushed = (end: number): void => {
    takeFramed(end, this.metrics.histograms?.deliveryLag)
  }
}
