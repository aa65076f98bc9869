// Rough figures for the README, on a private redis-server: appends/s through RedisLog, and how long a new
// channel takes to go live while the reader is blocked in XREAD. Not a test; run: node scripts/measure.mjs
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createRedisLog } from '../dist/index.js'

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    server.close(() => resolve(port))
  })
})
const persistence = process.argv.includes('--aof') ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', '/tmp', ...persistence])
await new Promise((resolve) => redis.stdout.on('data', (d) => String(d).includes('Ready') && resolve()))
const url = `redis://127.0.0.1:${port}`
const payload = { text: 'x'.repeat(100), n: 0 }

for (const options of [{ maxLength: 10_000, maxAgeMs: 0 }, { maxLength: 10_000, maxAgeMs: 3_600_000 }]) {
  const log = await createRedisLog({ url, namespace: `m${Math.random()}`, ...options })
  for (const concurrency of [1, 64, 256]) {
    const total = concurrency === 1 ? 5_000 : 50_000
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        while (next < total) {
          next++
          await log.append(`ch${(w % 100) + 1}`, payload)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    console.log(`append ${JSON.stringify(options)} concurrency ${concurrency}: ${Math.round(total / seconds)} appends/s`)
  }
  // What one append costs Redis itself (its single thread is the primary's limit), from INFO commandstats.
  const { Redis } = await import('ioredis')
  const admin = new Redis(url)
  const stats = await admin.info('commandstats')
  const line = stats.split('\n').find((l) => l.startsWith('cmdstat_evalsha:'))
  console.log(`  redis-side ${line?.trim()}`)
  await admin.config('RESETSTAT')
  admin.disconnect()
  await log.close()
}

// Activation latency: the reader is blocked on one channel; listen() on a new one, append, time to delivery.
const log = await createRedisLog({ url, namespace: 'latency' })
log.listen(['busy'], { onEvent() {} })
await new Promise((resolve) => setTimeout(resolve, 100))
const samples = []
for (let i = 0; i < 200; i++) {
  const started = performance.now()
  await new Promise((resolve) => {
    const stop = log.listen([`new-${i}`], {
      onEvent() {
        stop()
        resolve()
      },
    })
    void log.append(`new-${i}`, i)
  })
  samples.push(performance.now() - started)
}
samples.sort((a, b) => a - b)
console.log(`listen on a new channel -> first event delivered: p50 ${samples[100].toFixed(2)} ms, p99 ${samples[198].toFixed(2)} ms`)
await log.close()
redis.kill('SIGTERM')
