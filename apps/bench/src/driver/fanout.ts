import type { SystemName } from '../systems.js'
import { SYSTEM_SPECS } from '../systems.js'
import { startServer, startWorkers } from './processes.js'
import { peakRssBytes } from './proc-stats.js'
import { Publisher } from './publisher.js'
import { measureStep } from './step.js'

export interface FanoutStep {
  /** Target publish rate, events/s. */
  readonly rate: number
  readonly publishRate: number
  readonly deliveriesPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly lost: number
  readonly duplicates: number
  readonly serverCpuPct: number
  readonly clientCpuPct: number
  readonly publisherCpuPct: number
  readonly ok: boolean
  /** Why the step is not sustainable. */
  readonly reason?: string
}

export interface FanoutResult {
  readonly system: SystemName
  readonly n: number
  readonly steps: readonly FanoutStep[]
  /** The highest sustainable step, if any. */
  readonly best: FanoutStep | null
  readonly serverPeakRssMb: number
  readonly error?: string
}

export interface FanoutOptions {
  readonly n: number
  readonly rates: readonly number[]
  readonly stepMs: number
  readonly workers: number
  /**
   * Run a failed step once more before stopping (a noisy neighbour should not end a ladder), then try one rate
   * between the last sustainable step and the failed one.
   */
  readonly refine: boolean
  readonly maxSteps?: number
  readonly cpuProfDir?: string
  readonly onStep?: (step: FanoutStep) => void
}


/**
 * Fan-out: N subscribers in load workers, one publisher stepping the rate up; the sustainable rate is the highest
 * step with p99 publish-to-receive latency under 100 ms, nothing lost, and the target rate actually published.
 * Steps stop at the first that is not sustainable.
 */
export async function runFanout(system: SystemName, options: FanoutOptions): Promise<FanoutResult> {
  const server = await startServer(system, options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {})
  const steps: FanoutStep[] = []
  let error: string | undefined
  try {
    const { pool, ready } = await startWorkers(system, server.port, options.n, options.workers)
    const publisher = new Publisher(server.port, SYSTEM_SPECS[system])
    try {
      if (ready.failed > 0) throw new Error(`${ready.failed} of ${options.n} subscribers failed: ${ready.error}`)
      const runStep = (rate: number, durationMs: number): Promise<FanoutStep> =>
        measureStep({ publisher, pools: [pool], serverPids: [server.pid] }, rate, durationMs)
      // Warm-up (not reported): JIT, lazily created buffers, the first-connection costs.
      await runStep(options.rates[0]!, Math.min(500, options.stepMs))
      const maxSteps = options.maxSteps ?? options.rates.length
      for (const rate of options.rates.slice(0, maxSteps)) {
        let step = await runStep(rate, options.stepMs)
        steps.push(step)
        options.onStep?.(step)
        if (!step.ok && options.refine && step.lost === 0) {
          // Confirm a latency failure once (a loss is never retried away).
          await new Promise((resolve) => setTimeout(resolve, 500))
          step = await runStep(rate, options.stepMs)
          steps.push(step)
          options.onStep?.(step)
        }
        if (!step.ok) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const failed = steps.at(-1)
      const passed = steps.filter((s) => s.ok).at(-1)
      if (options.refine && failed && !failed.ok && passed) {
        const mid = Math.round((passed.rate + failed.rate) / 2)
        if (mid > passed.rate && mid < failed.rate) {
          await new Promise((resolve) => setTimeout(resolve, 500))
          const step = await runStep(mid, options.stepMs)
          steps.push(step)
          options.onStep?.(step)
        }
      }
    } finally {
      await publisher.close()
      await pool.stop()
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught)
  }
  const serverPeakRssMb = Math.round(peakRssBytes(server.pid) / 1024 / 102.4) / 10
  await server.stop()
  const sustainable = steps.filter((s) => s.ok).sort((a, b) => b.rate - a.rate)
  return {
    system,
    n: options.n,
    steps,
    best: sustainable[0] ?? null,
    serverPeakRssMb,
    ...(error === undefined ? {} : { error }),
  }
}
