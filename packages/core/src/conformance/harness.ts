import type { EventLog } from '../log.js'

/** Retention and limits a conformance test asks of a fresh log. Retention may be per channel or per log. */
export interface ConformanceLogOptions {
  /** Events retained (each retention test uses a single channel, so per-channel and per-log bounds agree). */
  readonly maxCount?: number
  /** Age after which events are dropped. */
  readonly maxAgeMs?: number
  /** Largest event data accepted, serialized. */
  readonly maxPayloadBytes?: number
}

/** How the suite gets logs of the implementation under test. */
export interface ConformanceHarness {
  /** A fresh, empty log (its own namespace / history), opened and ready. */
  create(options?: ConformanceLogOptions): Promise<EventLog>
  /**
   * Makes `log` lose its history the way it can in production (a process restart for memory, a flushed or
   * replaced Redis) and returns a log on the new history; cursors of the old history must then get an `epoch` reset.
   */
  loseHistory(log: EventLog): Promise<EventLog>
}
