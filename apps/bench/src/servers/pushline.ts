import { type EventLog, MemoryLog } from '@pushline/core'
import { createRedisLog } from '@pushline/redis'
import { pushline } from '@pushline/server'
import Fastify from 'fastify'
import { installControl } from './harness.js'

/** A/B runs of the retention (BENCH_LOG_MAX_COUNT: events the MemoryLog keeps); default: the log's own. */
function logOptions(): { maxCount?: number } {
  const maxCount = Number(process.env.BENCH_LOG_MAX_COUNT)
  return maxCount > 0 ? { maxCount } : {}
}

// The pushline systems: fastify + the plugin on a MemoryLog, all four transports; the load client picks one.
// Limits a benchmark would trip over (every subscriber shares 127.0.0.1; one publisher publishes thousands per
// second) are lifted; everything else is the plugin's default.
// With BENCH_REDIS_URL (and BENCH_REDIS_NAMESPACE) set, the log is a RedisLog with default options instead: the
// `--redis` benchmark runs several of these on one Redis. Not REDIS_URL: a REDIS_URL left in the shell for the demo
// must not silently move the ordinary benchmark onto Redis.
const redisUrl = process.env.BENCH_REDIS_URL
const log: EventLog = redisUrl
  ? await createRedisLog({ url: redisUrl, namespace: process.env.BENCH_REDIS_NAMESPACE ?? 'bench' })
  : new MemoryLog(logOptions())
const app = Fastify({ logger: false })
// The long-poll cache case (nginx/longpoll-cache.ts): answers with events cacheable, and origin requests counted.
const cacheSec = Number(process.env.BENCH_LONGPOLL_CACHE_SEC) || 0
let requests = 0
if (cacheSec > 0) {
  app.addHook('onRequest', (_request, _reply, done) => {
    requests++
    done()
  })
}
// A/B runs of the flush timing (BENCH_FLUSH_DELAY_MS=0: flush every loop turn, as ws-coalesced does); default 10.
const flushDelay = process.env.BENCH_FLUSH_DELAY_MS
await app.register(pushline, {
  prefix: '/rt',
  log,
  ...(cacheSec > 0 ? { longpollCacheMaxAgeSec: cacheSec } : {}),
  ...(flushDelay === undefined ? {} : { maxFlushDelayMs: Number(flushDelay) }),
  limits: {
    maxConnections: 1_000_000,
    maxConnectionsPerClient: 1_000_000,
    publishPerSecond: 1_000_000_000,
    publishBurst: 1_000_000_000,
  },
})
await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 })
installControl(
  (text) => app.pushline.publish('bench', JSON.parse(text)),
  () => {
    const { transports } = app.pushline.metrics()
    const all = Object.values(transports)
    return {
      slowConsumerDrops: all.reduce((sum, t) => sum + t.slowConsumerDrops, 0),
      connections: all.reduce((sum, t) => sum + t.connections, 0),
      requests,
    }
  },
)
const address = app.server.address()
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`)
