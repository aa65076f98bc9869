import { runLogConformance } from '@pushline/core/conformance'
import { afterAll, beforeAll } from 'vitest'
import { redisHarness } from './fixtures/harness.js'
import { type RedisServer, startRedis } from '@pushline/testing'

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  await redis?.dispose()
})

runLogConformance(
  'RedisLog',
  redisHarness(() => redis.url),
)
