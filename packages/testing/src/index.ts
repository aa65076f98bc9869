export { freePort, type RedisServer, type RedisServerOptions, startRedis } from '@pushline/redis/testing'
export { type StartAppOptions, startApp, type TestApp } from './app.js'
export { DEFAULT_DIRECTIVES, type Nginx, type NginxOptions, startNginx, upstreamConf } from './nginx.js'
export { type WaitForOptions, waitFor } from './wait-for.js'
