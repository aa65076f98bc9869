import { type EventLog, MemoryLog } from '@pushline/core'
import { createRedisLog } from '@pushline/redis'
import type { DemoConfig } from './config.js'

export type LogConfig = Pick<DemoConfig, 'REDIS_URL' | 'REDIS_NAMESPACE'>

/**
 * The demo's event log, built in one place: Redis Streams when REDIS_URL is set (several demo instances on one
 * Redis and namespace share one history, so any instance serves any client at any cursor), else in memory (the
 * last 100,000 events for an hour, one process). The caller closes it when the app closes: a log passed to the
 * plugin is the app's to close.
 */
export async function createLog(config: LogConfig): Promise<EventLog> {
  if (config.REDIS_URL) return createRedisLog({ url: config.REDIS_URL, namespace: config.REDIS_NAMESPACE })
  return new MemoryLog({ maxCount: 100_000, maxAgeMs: 60 * 60 * 1000 })
}

/** What the startup log line says about the log in use. The URL loses any password: logs get shared. */
export function describeLog(config: LogConfig): { log: 'redis'; redis: string; namespace: string } | { log: 'memory' } {
  if (!config.REDIS_URL) return { log: 'memory' }
  const url = new URL(config.REDIS_URL)
  if (url.password) url.password = '***'
  return { log: 'redis', redis: url.href, namespace: config.REDIS_NAMESPACE }
}
