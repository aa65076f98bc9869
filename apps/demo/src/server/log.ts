import { type EventLog, MemoryLog } from '@pushline/core'
import type { DemoConfig } from './config.js'

/**
 * The demo's event log, built in one place so that other backends plug in here (Redis Streams when REDIS_URL is
 * set, added with @pushline/redis). The in-memory log keeps the last 100,000 events for an hour.
 */
export async function createLog(config: Pick<DemoConfig, 'REDIS_URL'>): Promise<EventLog> {
  if (config.REDIS_URL) {
    throw new Error('REDIS_URL is set but the demo does not support the Redis log yet; unset it to use the in-memory log')
  }
  return new MemoryLog({ maxCount: 100_000, maxAgeMs: 60 * 60 * 1000 })
}
