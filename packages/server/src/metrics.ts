import { TRANSPORT_NAMES, type TransportName } from '@pushline/core'
import { Counter, Gauge, Registry } from 'prom-client'

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
}

export class MetricsState {
  readonly transports: Record<TransportName, TransportCounters>
  publishes = 0
  publishErrors = 0

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
  return registry
}
