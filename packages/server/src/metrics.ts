import { TRANSPORT_NAMES, type TransportName } from '@pushline/core'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { FALLBACK_REASONS, type FallbackCounters, newFallbackCounters } from './observability/fallbacks.js'

/** Plain counters, bumped on the hot path (a property increment) and read by `metrics()` and Prometheus. */
export interface TransportCounters {
  connections: number
  connectionsTotal: number
  eventsSent: number
  slowConsumerDrops: number
  resets: number
  errors: number
  refused: number
}

export interface PushlineMetrics {
  readonly transports: Readonly<Record<TransportName, Readonly<TransportCounters>>>
  readonly publishes: number
  readonly publishErrors: number
  /** Fallbacks the server can see, by reason (see observability/fallbacks.ts). */
  readonly fallbacks: Readonly<FallbackCounters>
}

/** The histograms, made only when the Prometheus endpoint is on (nothing is observed otherwise). */
export interface MetricsHistograms {
  /** Seconds from a publish received (HTTP request, WebSocket message) to its answer. */
  readonly publishDuration: Histogram<'transport' | 'outcome'>
  /** Seconds from an event framed to the end of the flush that wrote it (see observability/delivery-lag.ts). */
  readonly deliveryLag: Histogram
}

export class MetricsState {
  readonly transports: Record<TransportName, TransportCounters>
  publishes = 0
  publishErrors = 0
  readonly fallbacks: FallbackCounters = newFallbackCounters()
  histograms: MetricsHistograms | undefined

  constructor() {
    const entries = TRANSPORT_NAMES.map(
      (name) =>
        [
          name,
          { connections: 0, connectionsTotal: 0, eventsSent: 0, slowConsumerDrops: 0, resets: 0, errors: 0, refused: 0 },
        ] as const,
    )
    this.transports = Object.fromEntries(entries) as Record<TransportName, TransportCounters>
  }

  snapshot(): PushlineMetrics {
    const transports = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, { ...this.transports[name] }]))
    return {
      transports: transports as Record<TransportName, TransportCounters>,
      publishes: this.publishes,
      publishErrors: this.publishErrors,
      fallbacks: { ...this.fallbacks },
    }
  }
}

type CounterKey = Exclude<keyof TransportCounters, 'connections'>
const COUNTERS: readonly [string, string, CounterKey][] = [
  ['pushline_connections_total', 'Connections accepted', 'connectionsTotal'],
  ['pushline_events_sent_total', 'Events written to subscribers', 'eventsSent'],
  ['pushline_slow_consumer_drops_total', 'Connections dropped for not reading fast enough', 'slowConsumerDrops'],
  ['pushline_resets_total', 'Reset frames / 410 answers sent', 'resets'],
  ['pushline_errors_total', 'Requests and connections ended by an error', 'errors'],
  ['pushline_refused_total', 'Connections refused by limits, origin or authorization', 'refused'],
]

/** prom-client metrics that read the counters when scraped (nothing is done per event for Prometheus). */
export function registerPrometheus(state: MetricsState, registry: Registry = new Registry()): Registry {
  new Gauge({
    name: 'pushline_connections',
    help: 'Open connections (streams, WebSockets, held long-polls)',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const name of TRANSPORT_NAMES) this.set({ transport: name }, state.transports[name].connections)
    },
  })
  for (const [metric, help, key] of COUNTERS) {
    new Counter({
      name: metric,
      help,
      labelNames: ['transport'],
      registers: [registry],
      collect() {
        this.reset()
        for (const name of TRANSPORT_NAMES) this.inc({ transport: name }, state.transports[name][key])
      },
    })
  }
  new Counter({
    name: 'pushline_publishes_total',
    help: 'Events published (HTTP, WebSocket and server-side)',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(state.publishes)
    },
  })
  new Counter({
    name: 'pushline_publish_errors_total',
    help: 'Publishes the publisher refused or the log failed (channel, declaration, schema, append); refusals by limits or authorize are in pushline_publish_duration_seconds{outcome="error"}',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(state.publishErrors)
    },
  })
  new Counter({
    name: 'pushline_fallbacks_total',
    help: 'Fallbacks the server can see, by reason (ws-upgrade-refused: a GET on the WebSocket path without an upgrade)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset()
      for (const reason of FALLBACK_REASONS) this.inc({ reason }, state.fallbacks[reason])
    },
  })
  state.histograms = {
    publishDuration: new Histogram({
      name: 'pushline_publish_duration_seconds',
      help: 'Publish latency: request or message received to answered (HTTP and WebSocket publishes)',
      labelNames: ['transport', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    deliveryLag: new Histogram({
      name: 'pushline_delivery_lag_seconds',
      help: 'Event framed by this server (its append, on the MemoryLog) to the end of the flush that wrote it; once per event and wire',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  }
  return registry
}
