export { type LogKeys, logKeys } from './keys.js'
export { createRedisLog, RedisLog, type RedisLogOptions } from './redis-log.js'
