import { INSTANCES, REDIS_BENCH_SYSTEM, type RedisBenchResult, type RedisStep, type SideName, type SideResult } from './redis-bench.js'

const pad = (text: string | number, width: number): string => {
  const s = String(text)
  return s.length >= width ? s : ' '.repeat(width - s.length) + s
}
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toLocaleString('en-US'))

/** One line per step as it completes. */
export function printRedisStep(side: SideName, step: RedisStep): void {
  console.log(
    `  ${side.padEnd(6)} ${pad(step.rate, 6)} ev/s -> ${pad(num(step.deliveriesPerSec), 10)} deliv/s  p50 ${step.p50Ms} p99 ${step.p99Ms} max ${step.maxMs} ms  lost ${step.lost}  cpu srv ${step.serverCpuPct}% redis ${step.redisCpuPct}% clients ${step.clientCpuPct}% pub ${step.publisherCpuPct}%  ${step.ok ? 'ok' : `FAIL: ${step.reason}`}`,
  )
}

/** The table, then the JSON line `{"redis":{"memory":{...},"redis3":{...},"ratio":R}}`, printed last. */
export function printRedisBench(result: RedisBenchResult, seconds: number): void {
  const sides = [result.memory, result.redis3]
  const lines = [
    '',
    `Fan-out over ${REDIS_BENCH_SYSTEM}, N=${result.memory.n}: ${INSTANCES} instances on one Redis vs 1 on the MemoryLog — highest step with p99 < 100 ms and nothing lost`,
    `${'side'.padEnd(8)}${pad('inst', 5)}${pad('events/s', 10)}${pad('deliveries/s', 14)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('srv CPU%', 10)}${pad('redis CPU%', 12)}${pad('srv peak MB', 13)}${pad('client CPU%', 13)}  next step failed on`,
  ]
  for (const s of sides) {
    const b = s.best
    const failed = s.steps.find((x) => !x.ok)
    lines.push(
      `${s.side.padEnd(8)}${pad(s.instances, 5)}${pad(num(b?.rate ?? 0), 10)}${pad(num(b?.deliveriesPerSec ?? 0), 14)}${pad(num(b?.p50Ms), 9)}${pad(num(b?.p99Ms), 9)}${pad(num(b?.serverCpuPct), 10)}${pad(num(b?.redisCpuPct), 12)}${pad(num(s.serverPeakRssMb), 13)}${pad(num(b?.clientCpuPct), 13)}  ${s.error ?? (failed ? `${failed.rate}/s: ${failed.reason}` : '(all steps passed)')}`,
    )
  }
  lines.push(
    `ratio redis3/memory (deliveries/s of the best sustainable steps): ${result.ratio ?? '-'}   redis peak RSS ${result.redisPeakRssMb} MB`,
    `highest deliveries/s with nothing lost, any latency: memory ${num(result.memory.lossless?.deliveriesPerSec)}, redis3 ${num(result.redis3.lossless?.deliveriesPerSec)}`,
    `(${seconds} s)`,
  )
  console.log(lines.join('\n'))
  console.log(JSON.stringify(redisJson(result)))
}

function sideJson(s: SideResult): Record<string, unknown> {
  const shown = s.best ?? s.steps[0]
  return {
    instances: s.instances,
    n: s.n,
    rate: s.best?.rate ?? 0,
    deliveriesPerSec: s.best?.deliveriesPerSec ?? 0,
    p50Ms: shown?.p50Ms ?? null,
    p99Ms: shown?.p99Ms ?? null,
    maxMs: shown?.maxMs ?? null,
    lost: shown?.lost ?? 0,
    serverCpuPct: shown?.serverCpuPct ?? null,
    redisCpuPct: shown?.redisCpuPct ?? null,
    clientCpuPct: shown?.clientCpuPct ?? null,
    serverPeakRssMb: s.serverPeakRssMb,
    losslessDeliveriesPerSec: s.lossless?.deliveriesPerSec ?? 0,
    ...(s.best ? {} : { sustained: false }),
    ...(s.error ? { error: s.error } : {}),
  }
}

export function redisJson(result: RedisBenchResult): { redis: Record<string, unknown> } {
  return {
    redis: {
      memory: sideJson(result.memory),
      redis3: sideJson(result.redis3),
      ratio: result.ratio,
      redisPeakRssMb: result.redisPeakRssMb,
      transport: REDIS_BENCH_SYSTEM,
    },
  }
}
