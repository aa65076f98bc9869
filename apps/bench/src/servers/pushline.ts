import { MemoryLog } from '@pushline/core'
import { pushline } from '@pushline/server'
import Fastify from 'fastify'
import { installControl } from './harness.js'

// The pushline systems: fastify + the plugin on a MemoryLog, all four transports; the load client picks one.
// Limits a benchmark would trip over (every subscriber shares 127.0.0.1; one publisher publishes thousands per
// second) are lifted; everything else is the plugin's default.
const log = new MemoryLog()
const app = Fastify({ logger: false })
await app.register(pushline, {
  prefix: '/rt',
  log,
  limits: {
    maxConnections: 1_000_000,
    maxConnectionsPerClient: 1_000_000,
    publishPerSecond: 1_000_000_000,
    publishBurst: 1_000_000_000,
  },
})
await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 })
installControl()
const address = app.server.address()
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`)
