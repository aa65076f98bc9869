import { loadavg } from 'node:os'
import type { FanoutStep } from './fanout.js'
import type { WorkerPool } from './processes.js'
import { CpuMeter } from './proc-stats.js'
import type { Publishing } from './publisher.js'
import { mergeStats } from './step-stats.js'

/** A step is sustainable when p99 publish-to-receive latency stays under this. */
export const P99_LIMIT_MS = 100
/** How long after the last publish every subscriber may take to catch up before the rest counts as lost. */
export const DRAIN_MS = 2000

/**
 * One fan-out step: publish at `rate` for `durationMs`, wait for the subscribers to catch up, and judge it:
 * sustainable when p99 < 100 ms, nothing lost, nobody disconnected, no publish failed and at least 95 % of the
 * target rate was actually published. CPU of the servers, the load workers and the publisher is measured over it.
 */
export async function measureStep(
  target: {
    readonly publisher: Publishing
    readonly pools: readonly WorkerPool[]
    readonly serverPids: readonly number[]
    /** The server's counters (slow-consumer drops), read before and after the step. */
    readonly counters?: () => Promise<Record<string, number>>
  },
  rate: number,
  durationMs: number,
): Promise<FanoutStep> {
  const serverCpu = new CpuMeter(target.serverPids)
  const clientCpu = new CpuMeter(target.pools.flatMap((pool) => pool.pids))
  const publisherCpu = new CpuMeter([process.pid])
  const before = (await target.counters?.()) ?? {}
  const published = await target.publisher.run(rate, durationMs)
  // CPU over the publishing window (the drain after it is not part of the rate).
  const serverCpuPct = serverCpu.percent()
  const clientCpuPct = clientCpu.percent()
  const busiestClientPct = clientCpu.maxPercent()
  const publisherCpuPct = publisherCpu.percent()
  const collected = await Promise.all(target.pools.map((pool) => pool.collect(published.lastSeq, DRAIN_MS)))
  const stats = mergeStats(collected.flat())
  const after = (await target.counters?.()) ?? {}
  const slowConsumerDrops = (after.slowConsumerDrops ?? 0) - (before.slowConsumerDrops ?? 0)
  const reasons: string[] = []
  if (stats.p99Ms >= P99_LIMIT_MS) reasons.push(`p99 ${stats.p99Ms} ms`)
  if (stats.lost > 0) {
    // Skipped events are lost for good; the rest were only late (an overloaded step's resumed subscribers may still
    // be catching up from their cursors when the drain ends).
    const late = stats.lost - stats.gaps
    reasons.push(`${stats.lost} lost (${stats.gaps} skipped, ${late} not there ${DRAIN_MS / 1000} s after the last publish)`)
  }
  if (stats.disconnected > 0) reasons.push(`${stats.disconnected} disconnected`)
  if (stats.resumed > 0) reasons.push(`${stats.resumed} resumed after a drop`)
  if (slowConsumerDrops > 0) reasons.push(`server dropped ${slowConsumerDrops} slow consumers`)
  if (published.errors > 0) reasons.push(`${published.errors} publish errors (${published.firstError})`)
  if (published.achievedRate < rate * 0.95) reasons.push(`published only ${Math.round(published.achievedRate)}/s`)
  return {
    rate,
    publishRate: Math.round(published.achievedRate),
    deliveriesPerSec: Math.round(stats.received / (published.durationMs / 1000)),
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    maxMs: stats.maxMs,
    lost: stats.lost,
    gaps: stats.gaps,
    disconnected: stats.disconnected,
    duplicates: stats.duplicates,
    resumed: stats.resumed,
    slowConsumerDrops,
    serverCpuPct,
    clientCpuPct,
    publisherCpuPct,
    bound: boundOf(serverCpuPct, busiestClientPct),
    loadAvg: Math.round(loadavg()[0]! * 100) / 100,
    ok: reasons.length === 0,
    latencyOnly: reasons.length === 1 && stats.p99Ms >= P99_LIMIT_MS,
    ...(reasons.length > 0 ? { reason: reasons.join(', ') } : {}),
  }
}

/** A process at or above this share of one core over a step is taken as the limit. */
export const BOUND_CPU_PCT = 90

/**
 * Which side bound a step: the server, the load clients (their busiest process), or neither (the machine's
 * scheduler, a stall, or headroom left on both sides).
 */
export function boundOf(serverCpuPct: number, busiestClientPct: number): 'server' | 'clients' | 'neither' {
  if (serverCpuPct >= BOUND_CPU_PCT && serverCpuPct >= busiestClientPct) return 'server'
  if (busiestClientPct >= BOUND_CPU_PCT) return 'clients'
  return 'neither'
}
