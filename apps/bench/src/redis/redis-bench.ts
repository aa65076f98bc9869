import { Publisher } from '../driver/publisher.js'
import type { FanoutStep } from '../driver/fanout.js'
import { type ServerProcess, startServer, startWorkers, type WorkerPool } from '../driver/processes.js'
import { CpuMeter, peakRssBytes } from '../driver/proc-stats.js'
import { measureStep } from '../driver/step.js'
import { SYSTEM_SPECS, type SystemName } from '../systems.js'
import { startRedis } from '@pushline/redis/testing'

/** The one transport of this benchmark: pushline over WebSocket, with the harness's lean raw WebSocket client. */
export const REDIS_BENCH_SYSTEM: SystemName = 'pushline-websocket'
export const INSTANCES = 3

export type SideName = 'memory' | 'redis3'

export interface RedisStep extends FanoutStep {
  /** redis-server's CPU over the step (utime + stime from /proc), % of one core. */
  readonly redisCpuPct: number
}

export interface SideResult {
  readonly side: SideName
  readonly instances: number
  readonly n: number
  readonly steps: readonly RedisStep[]
  /** The highest sustainable step (the fan-out driver's criteria), if any. */
  readonly best: RedisStep | null
  /**
   * The highest deliveries/s of a step with nothing lost, whatever its latency: a figure for a machine too loaded
   * for any step to pass. Not a ratio: a side stops at its first failed step, so the two sides reach different rates.
   */
  readonly lossless: RedisStep | null
  /** Sum of the instances' peak RSS. */
  readonly serverPeakRssMb: number
  readonly error?: string
}

export interface RedisBenchResult {
  readonly memory: SideResult
  readonly redis3: SideResult
  readonly redisPeakRssMb: number
  /** redis3 / memory deliveries/s of the best sustainable steps; null when a side sustained no step. */
  readonly ratio: number | null
}

export interface RedisBenchOptions {
  readonly n: number
  readonly rates: readonly number[]
  readonly stepMs: number
  /** Load worker processes per instance slot (both sides have INSTANCES slots). */
  readonly workersPerSlot: number
  readonly maxSteps?: number
  /** Stop starting steps after this long (the run stays bounded on a slow machine). */
  readonly budgetMs: number
  readonly onStep?: (side: SideName, step: RedisStep) => void
}

// The fan-out driver's criteria (driver/fanout.ts), unchanged.

interface Side {
  readonly name: SideName
  readonly servers: ServerProcess[]
  readonly pools: WorkerPool[]
  publisher: Publisher | null
  readonly steps: RedisStep[]
  done: boolean
  error?: string
}

/**
 * Fan-out across three pushline instances on one Redis (RedisLog) against one instance on the MemoryLog, same load
 * in the same run: N subscribers split evenly over INSTANCES slots (on the memory side all slots connect to the one
 * instance, so both sides have the same worker processes), publishes round-robin over the instances. The two sides
 * take turns at each rate step, so a noisy neighbour hits both alike; a side stops at its first failed step.
 */
export async function runRedisBench(options: RedisBenchOptions): Promise<RedisBenchResult> {
  const redis = await startRedis()
  const redisPid = redis.pid ?? 0
  const memory: Side = { name: 'memory', servers: [], pools: [], publisher: null, steps: [], done: false }
  const redis3: Side = { name: 'redis3', servers: [], pools: [], publisher: null, steps: [], done: false }
  const sides = [memory, redis3]
  const started = Date.now()
  let redisPeakRssMb = 0
  let peaks = [0, 0]
  try {
    memory.servers.push(await startServer(REDIS_BENCH_SYSTEM))
    // pushline.js reads these at start; the forked servers inherit the environment of this process.
    process.env.BENCH_REDIS_URL = redis.url
    process.env.BENCH_REDIS_NAMESPACE = `bench-${process.pid}`
    try {
      for (let i = 0; i < INSTANCES; i++) redis3.servers.push(await startServer(REDIS_BENCH_SYSTEM))
    } finally {
      delete process.env.BENCH_REDIS_URL
      delete process.env.BENCH_REDIS_NAMESPACE
    }
    for (const side of sides) await guarded(side, () => connect(side, options))

    const runStep = async (side: Side, rate: number, durationMs: number): Promise<RedisStep> => {
      const redisCpu = new CpuMeter([redisPid])
      const step = await measureStep(
        { publisher: side.publisher!, pools: side.pools, serverPids: side.servers.map((s) => s.pid) },
        rate,
        durationMs,
      )
      return { ...step, redisCpuPct: redisCpu.percent() }
    }

    // Warm-up (not reported), as the fan-out driver does.
    for (const side of sides) if (!side.done) await guarded(side, () => runStep(side, options.rates[0]!, Math.min(500, options.stepMs)))
    for (const rate of options.rates.slice(0, options.maxSteps ?? options.rates.length)) {
      if (Date.now() - started > options.budgetMs) break
      for (const side of sides) {
        if (side.done) continue
        await guarded(side, async () => {
          const step = await runStep(side, rate, options.stepMs)
          side.steps.push(step)
          options.onStep?.(side.name, step)
          if (!step.ok) side.done = true
        })
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      if (sides.every((s) => s.done)) break
    }
    // As the full fan-out run: one rate halfway between a side's last sustainable step and its failed one.
    for (const side of sides) {
      const failed = side.steps.at(-1)
      const passed = side.steps.filter((s) => s.ok).at(-1)
      if (side.error || !failed || failed.ok || !passed || Date.now() - started > options.budgetMs) continue
      const mid = Math.round((passed.rate + failed.rate) / 2)
      if (mid <= passed.rate || mid >= failed.rate) continue
      await new Promise((resolve) => setTimeout(resolve, 500))
      await guarded(side, async () => {
        const step = await runStep(side, mid, options.stepMs)
        side.steps.push(step)
        options.onStep?.(side.name, step)
      })
    }
    redisPeakRssMb = mb(peakRssBytes(redisPid))
  } finally {
    peaks = sides.map((side) => mb(side.servers.reduce((sum, s) => sum + peakRssBytes(s.pid), 0)))
    for (const side of sides) {
      await side.publisher?.close()
      await Promise.all(side.pools.map((p) => p.stop()))
      await Promise.all(side.servers.map((s) => s.stop()))
    }
    await redis.dispose()
  }
  const memoryResult = result(memory, 1, options.n, peaks[0]!)
  const redis3Result = result(redis3, INSTANCES, options.n, peaks[1]!)
  return {
    memory: memoryResult,
    redis3: redis3Result,
    redisPeakRssMb,
    ratio: ratioOf(redis3Result.best, memoryResult.best),
  }
}

/** Starts the side's load workers (one pool per slot, slot i on instance i mod instances) and its publisher. */
async function connect(side: Side, options: RedisBenchOptions): Promise<void> {
  for (let slot = 0; slot < INSTANCES; slot++) {
    const share = Math.floor(options.n / INSTANCES) + (slot < options.n % INSTANCES ? 1 : 0)
    if (share === 0) continue
    const server = side.servers[slot % side.servers.length]!
    const { pool, ready } = await startWorkers(REDIS_BENCH_SYSTEM, server.port, share, options.workersPerSlot)
    side.pools.push(pool)
    if (ready.failed > 0) throw new Error(`${side.name}: ${ready.failed} of ${share} subscribers failed: ${ready.error}`)
  }
  side.publisher = new Publisher(
    side.servers.map((s) => s.port),
    SYSTEM_SPECS[REDIS_BENCH_SYSTEM],
  )
}

/** A side whose step threw stops stepping and keeps the error; the other side goes on. */
async function guarded(side: Side, run: () => Promise<unknown>): Promise<void> {
  try {
    await run()
  } catch (caught) {
    side.done = true
    side.error = caught instanceof Error ? caught.message : String(caught)
  }
}

function result(side: Side, instances: number, n: number, serverPeakRssMb: number): SideResult {
  const best = side.steps.filter((s) => s.ok).sort((a, b) => b.rate - a.rate)[0] ?? null
  // Nothing lost, no subscriber dropped, no publish failed; latency and the achieved publish rate may miss.
  const intact = (s: RedisStep): boolean => s.lost === 0 && !/disconnected|publish errors/.test(s.reason ?? '')
  const lossless = side.steps.filter(intact).sort((a, b) => b.deliveriesPerSec - a.deliveriesPerSec)[0] ?? null
  return {
    side: side.name,
    instances,
    n,
    steps: side.steps,
    best,
    lossless,
    serverPeakRssMb,
    ...(side.error === undefined ? {} : { error: side.error }),
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10

function ratioOf(a: RedisStep | null, b: RedisStep | null): number | null {
  return a && b && b.deliveriesPerSec > 0 ? Math.round((a.deliveriesPerSec / b.deliveriesPerSec) * 100) / 100 : null
}
