import { HttpConn } from '../clients/raw-http.js'
import { payload } from '../payload.js'
import type { StampMode } from '../servers/local-publisher.js'
import type { SystemSpec } from '../systems.js'
import type { ServerProcess } from './processes.js'

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

/**
 * How a fan-out is published: a timer in the server process, or HTTP POSTs from this (another) process — pipelined
 * in bursts (`http`: every POST due in a 2 ms tick sent at once, up to 512 in flight) or one at a time (`http1`:
 * each POST waits for the previous answer, as a simple app publishes).
 */
export type PublisherKind = 'local' | 'http' | 'http1'

/** Publishes in flight at most, for an HTTP publisher kind. */
export const inFlightOf = (kind: PublisherKind): number => (kind === 'http1' ? 1 : MAX_IN_FLIGHT)

/** Either publisher, as a step drives it. */
export interface Publishing {
  readonly lastSeq: number
  run(rate: number, durationMs: number): Promise<PublishRun>
  close(): Promise<void>
}

/** The server's own timer publishes (servers/local-publisher.ts); sequences run on across runs. */
export class LocalPublisher implements Publishing {
  private seq = 0
  constructor(
    private readonly server: { publish: ServerProcess['publish'] },
    private readonly stamp: StampMode = 'due',
  ) {}

  get lastSeq(): number {
    return this.seq
  }

  async run(rate: number, durationMs: number): Promise<PublishRun> {
    const run = await this.server.publish({ type: 'publish', rate, durationMs, fromSeq: this.seq + 1, stamp: this.stamp })
    this.seq = run.lastSeq
    return run
  }

  async close(): Promise<void> {}
}

const TICK_MS = 2
/** How long publishes stay on one instance before the next one's turn (10 ticks: one ordering wait per turn). */
const TURN_MS = 20

/**
 * The one publisher: HTTP POSTs on one keep-alive, pipelined connection per instance (one connection keeps publish
 * order, so each event's sequence number also orders the delivery), paced every 2 ms to a target rate, at most 512
 * in flight. The send time goes into the payload; when the server answers slower than the rate, requests queue and
 * that queue time counts as latency. Given several instances (the Redis benchmark) they take turns of 20 ms,
 * round-robin.
 *
 * The connection is the load workers' lean one (clients/raw-http.ts), pipelined: the POSTs due in a tick leave in one
 * write and the answers are read in order, only their status and length. It runs on the same two cores as the server
 * and the load workers; undici spent 16-25 % of a core here at ~7,000 publishes/s (more for a 201 with a body than
 * for a 204), CPU taken from the systems under test (2026-12-07, 17:50).
 *
 * The load clients take an event's sequence number as its position in the log (a lower one after a higher one
 * counts as a gap, then a duplicate). Publishes to different instances racing each other would land in Redis out of
 * sequence, so before the events of a turn go to another instance the publisher waits until the events already sent
 * are acknowledged (appended). With one instance it never waits: exactly the driver's publisher. The wait is not
 * counted as latency (events are stamped when sent); a publisher held back too long shows as the achieved rate
 * falling under 95 % of the target, which fails the step.
 */
export class Publisher implements Publishing {
  private readonly ports: readonly number[]
  /** One connection per instance, opened when a run needs it (again after the server closed an idle one). */
  private readonly conns: (HttpConn | undefined)[]
  private seq = 0
  private turn = 0

  constructor(
    ports: number | readonly number[],
    private readonly spec: SystemSpec,
    private readonly maxInFlight = MAX_IN_FLIGHT,
  ) {
    this.ports = typeof ports === 'number' ? [ports] : ports
    this.conns = this.ports.map(() => undefined)
  }

  get lastSeq(): number {
    return this.seq
  }

  async run(rate: number, durationMs: number): Promise<PublishRun> {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000))
    let inFlight = 0
    let sent = 0
    let errors = 0
    let firstError: string | undefined
    /** Called when nothing is in flight any more (a settle waiting for it). */
    let onIdle: (() => void) | undefined
    const answered = (): void => {
      inFlight--
      // One at a time (`http1`): the next POST that is due goes as soon as this one is answered, not on the next
      // 2 ms tick (under load a timer tick is tens of ms: the harness, not the server, would set the rate). Not on a
      // closed connection: each POST would fail at once and call this again (the next tick opens a new one).
      if (this.maxInFlight === 1 && active !== undefined && !active.closed) pump(active)
      if (inFlight === 0) onIdle?.()
    }
    const handlers = {
      onEnd: (status: number): void => {
        if (status >= 300) {
          errors++
          firstError ??= `HTTP ${status}`
        }
        answered()
      },
      onError: (error: Error): void => {
        errors++
        firstError ??= error.message
        answered()
      },
    }
    const fire = (conn: HttpConn): void => {
      const seq = ++this.seq
      inFlight++
      sent++
      conn.request('POST', this.spec.publishPath, handlers, this.spec.publishBody(payload(seq)), '', 'application/json')
    }
    let active: HttpConn | undefined
    const pump = (conn: HttpConn): void => {
      const target = Math.min(total, Math.floor((rate * (performance.now() - start)) / 1000) + 1)
      if (sent < target && inFlight < this.maxInFlight)
        conn.batch(() => {
          while (sent < target && inFlight < this.maxInFlight) fire(conn)
        })
    }
    const settle = async (timeoutMs: number): Promise<void> => {
      if (inFlight === 0) return
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        onIdle = resolve
        timer = setTimeout(resolve, timeoutMs)
      })
      onIdle = undefined
      clearTimeout(timer)
    }
    const start = performance.now()
    let current = -1
    let turnStart = -Infinity
    // Bounded by `total` events and by 2x the duration.
    while (sent < total) {
      const elapsed = performance.now() - start
      if (elapsed > durationMs * 2 + 1000) break
      const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1)
      if (sent < due) {
        if (elapsed - turnStart >= TURN_MS) {
          const next = this.turn++ % this.ports.length
          // Ordering barrier (see above); bounded like the run itself.
          if (next !== current && inFlight > 0) await settle(Math.max(0, durationMs * 2 + 1000 - elapsed))
          current = next
          turnStart = performance.now() - start
        }
        try {
          active = await this.connection(current)
        } catch (error) {
          // Nothing to publish on: the step fails on its achieved rate, with the reason.
          errors++
          firstError ??= `connect: ${error instanceof Error ? error.message : String(error)}`
          break
        }
        pump(active)
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS))
    }
    const sendMs = performance.now() - start
    active = undefined
    await settle(10_000)
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
    for (const conn of this.conns) conn?.close()
  }

  /** The open connection to instance `index`, opened anew when there is none or the server closed it. */
  private async connection(index: number): Promise<HttpConn> {
    const open = this.conns[index]
    if (open && !open.closed) return open
    const conn = await HttpConn.open(this.ports[index]!, 10_000, true)
    this.conns[index] = conn
    return conn
  }
}
