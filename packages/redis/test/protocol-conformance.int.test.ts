import type { EventLog } from '@pushline/core'
import { pushline } from '@pushline/server'
import { type RedisServer, startApp, startRedis, type TestApp } from '@pushline/testing'
import { runProtocolConformance } from '@pushline/testing/conformance'
import { afterAll, beforeAll, describe } from 'vitest'
import { redisHarness } from './fixtures/harness.js'

// The exported wire-protocol suite against a server whose log is a RedisLog.
const options = { heartbeatMs: 500, holdMs: 2000 }

describe('protocol 1 conformance: Redis-backed server', () => {
  let redis: RedisServer
  let app: TestApp
  const logs: EventLog[] = []
  const harness = redisHarness(() => redis.url)
  const redisApp = async (): Promise<TestApp> => {
    const log = await harness.create()
    logs.push(log)
    return startApp({ register: (fastify) => fastify.register(pushline, { prefix: '/rt', ...options, log }) })
  }
  beforeAll(async () => {
    redis = await startRedis()
    app = await redisApp()
  })
  afterAll(async () => {
    await app?.close()
    await Promise.all(logs.map((log) => log.close()))
    await redis?.dispose()
  })
  runProtocolConformance({
    baseUrl: () => app.base,
    // A cursor of another namespace's history (another epoch of the log).
    unservableCursor: async () => {
      const other = await harness.create()
      logs.push(other)
      return other.head()
    },
    shutdownTarget: async () => {
      const target = await redisApp()
      return { baseUrl: target.base, shutdown: () => target.close() }
    },
  })
})
