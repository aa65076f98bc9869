export { freePort, type RedisServer, type RedisServerOptions, startRedis } from './redis-server.js'
